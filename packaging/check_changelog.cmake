# CPack pre-build script: refuse to build a package whose changelog does not describe it.
if(NOT CPACK_RWPROXY_CHANGELOG_VERSION STREQUAL CPACK_PACKAGE_VERSION)
  message(FATAL_ERROR "packaging/debian/changelog's latest entry is "
                      "'${CPACK_RWPROXY_CHANGELOG_VERSION}', the package version is "
                      "${CPACK_PACKAGE_VERSION}: add a changelog entry (dch -v "
                      "${CPACK_PACKAGE_VERSION}, or by hand) and re-run cmake")
endif()

# Install rules and the Debian package (issue 7), included once at the end of the top-level
# CMakeLists.txt. scripts/package runs CPack's DEB generator over an already-built tree:
#
#   cmake --build BUILD --target rwproxy && (cd BUILD && cpack -B OUTDIR)
#
# Every rule is in the `deb` component and CPack installs that component only, so install()
# rules added elsewhere later do not end up in the package by accident.

# CPack builds the `preinstall` target first, which by default depends on `all` (every test).
# The package needs the rwproxy target only, which scripts/package builds itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(RWPROXY_PACKAGING_SOURCE ${CMAKE_CURRENT_LIST_DIR})
set(RWPROXY_PACKAGING_BINARY ${CMAKE_BINARY_DIR}/packaging)
set(RWPROXY_PACKAGE_MAINTAINER
    "rwproxy maintainers <maintainers@users.noreply.b-seed-28ceb359.example>"
    CACHE STRING "Maintainer field of the .deb")

# The changelog's latest entry: its version must be the project version (checked when the
# package is built, by check_changelog.cmake) and its date dates the manual page.
file(STRINGS ${RWPROXY_PACKAGING_SOURCE}/debian/changelog _rwproxy_changelog_head LIMIT_COUNT 1)
string(REGEX MATCH "^rwproxy \\(([^)]+)\\)" _rwproxy_match "${_rwproxy_changelog_head}")
set(RWPROXY_CHANGELOG_VERSION "${CMAKE_MATCH_1}")
file(STRINGS ${RWPROXY_PACKAGING_SOURCE}/debian/changelog _rwproxy_changelog_trailer
     REGEX "^ -- " LIMIT_COUNT 1)
string(REGEX REPLACE "^.*  [A-Za-z]+, +([0-9]+) ([A-Za-z]+) ([0-9]+) .*$" "\\2 \\3"
       RWPROXY_MAN_DATE "${_rwproxy_changelog_trailer}")
if(NOT RWPROXY_CHANGELOG_VERSION STREQUAL PROJECT_VERSION)
  message(WARNING "packaging/debian/changelog's latest entry is ${RWPROXY_CHANGELOG_VERSION} but "
                  "the project version is ${PROJECT_VERSION}: add a changelog entry before "
                  "building the package")
endif()

# The manual page and the changelog are installed compressed with gzip -9n (no name, no
# timestamp: reproducible, and what lintian expects). configure_file makes edits re-run this.
configure_file(${RWPROXY_PACKAGING_SOURCE}/rwproxy.8.in ${RWPROXY_PACKAGING_BINARY}/rwproxy.8
               @ONLY)
configure_file(${RWPROXY_PACKAGING_SOURCE}/debian/changelog
               ${RWPROXY_PACKAGING_BINARY}/changelog COPYONLY)
foreach(_rwproxy_doc rwproxy.8 changelog)
  execute_process(COMMAND gzip -9 -n -c ${RWPROXY_PACKAGING_BINARY}/${_rwproxy_doc}
                  OUTPUT_FILE ${RWPROXY_PACKAGING_BINARY}/${_rwproxy_doc}.gz
                  RESULT_VARIABLE _rwproxy_gzip_rc)
  if(NOT _rwproxy_gzip_rc EQUAL 0)
    message(FATAL_ERROR "gzip ${_rwproxy_doc}: ${_rwproxy_gzip_rc}")
  endif()
endforeach()

# Paths under the prefix are relative (the package's prefix is /usr); /etc and the systemd
# unit directory are absolute, as Debian wants them whatever the prefix.
install(TARGETS rwproxy RUNTIME DESTINATION bin COMPONENT deb)
# Stripped as Debian strips executables: no symbols, and no .comment/.note (compiler versions).
install(CODE "execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment
                      --remove-section=.note \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/rwproxy\"
                      COMMAND_ERROR_IS_FATAL ANY)"
        COMPONENT deb)
install(FILES ${RWPROXY_PACKAGING_BINARY}/rwproxy.8.gz DESTINATION share/man/man8 COMPONENT deb)
install(FILES ${RWPROXY_PACKAGING_SOURCE}/debian/copyright
              ${RWPROXY_PACKAGING_BINARY}/changelog.gz
        DESTINATION share/doc/rwproxy COMPONENT deb)
install(FILES ${RWPROXY_PACKAGING_SOURCE}/debian/lintian-overrides
        DESTINATION share/lintian/overrides RENAME rwproxy COMPONENT deb)
install(FILES ${RWPROXY_PACKAGING_SOURCE}/rwproxy.cnf DESTINATION /etc/rwproxy COMPONENT deb)
install(FILES ${RWPROXY_PACKAGING_SOURCE}/rwproxy.service DESTINATION /lib/systemd/system
        COMPONENT deb)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rwproxy)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The rwproxy authors")
set(CPACK_PACKAGE_CONTACT "${RWPROXY_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "rwproxy sits between applications and MySQL or MariaDB servers. It
classifies every query with RE2 query rules, sends writes to a writer
hostgroup and reads to reader hostgroups, and shares a few pooled,
multiplexed backend connections among many client connections.

It is configured like ProxySQL, with a MySQL client on an admin port
(127.0.0.1:6032) and the same tables and LOAD/SAVE commands, so existing
ProxySQL admin scripts work unchanged.

This package runs it as the rwproxy.service systemd unit.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};rwproxy;deb;/")
set(CPACK_THREADS 0)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: dpkg-shlibdeps computes the libraries; the maintainer scripts need adduser.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${RWPROXY_PACKAGING_SOURCE}/debian/postinst ${RWPROXY_PACKAGING_SOURCE}/debian/prerm
    ${RWPROXY_PACKAGING_SOURCE}/debian/postrm ${RWPROXY_PACKAGING_SOURCE}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Read by check_changelog.cmake (CPack passes CPACK_* variables on to its scripts).
set(CPACK_RWPROXY_CHANGELOG_VERSION "${RWPROXY_CHANGELOG_VERSION}")
set(CPACK_PRE_BUILD_SCRIPTS ${RWPROXY_PACKAGING_SOURCE}/check_changelog.cmake)
include(CPack)

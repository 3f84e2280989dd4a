# Shared by scripts/test and scripts/demo. Source it; do not run it.

RWPROXY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export RWPROXY_ROOT

# Debian 12 packages the build, the tests and the demo need.
RWPROXY_PACKAGES=(
  build-essential cmake pkg-config ccache clang clang-format libclang-rt-14-dev
  libuv1-dev libssl-dev libsqlite3-dev libre2-dev libfmt-dev catch2
  libmariadb-dev mariadb-server mariadb-client
  lintian systemd dpkg-dev file binutils adduser
)

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# Installs what is missing: one apt-get update, then apt-get install; a quick no-op when every
# package is already there.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # The mariadb-server package would start the system service; we never use it.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure_and_build DIR [cmake options...]
configure_and_build() {
  local dir=$1
  shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$RWPROXY_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}

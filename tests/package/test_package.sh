#!/usr/bin/env bash
# The Debian package end to end, on this machine:
#   build it from BUILD_DIR with scripts/package (or take DEB), run lintian, install it with
#   dpkg -i (twice: the second run is the upgrade path), check what it installed, verify the
#   systemd unit, run the INSTALLED binary as the rwproxy user with the packaged config on
#   free loopback ports against a MariaDB test cluster and query through it, restart it (the
#   config file applies on first start only), check that the config's commented examples are
#   valid, then remove and purge the package and check that nothing is left behind.
#
#   tests/package/test_package.sh BUILD_DIR [DEB]
#
# BUILD_DIR is a configured Release build (scripts/test's build/release). Runs as root: it
# installs and purges the rwproxy package. Idempotent: a leftover install from an earlier run
# is purged first; a failure cleans up too (processes, cluster, package). It refuses to purge
# an rwproxy that holds a configuration (/var/lib/rwproxy/rwproxy.db): this test never creates
# one, so that is a real install; set RWPROXY_PACKAGE_TEST_FORCE=1 to purge it anyway.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/common.sh"

die() { echo "test_package: FAIL: $*" >&2; exit 1; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  sed -n '10p' "$0" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || die "run as root: the test installs and purges the package"
[ -f "$1/CMakeCache.txt" ] || die "$1 is not a configured build directory"
build_dir=$(realpath "$1")
deb=${2:+$(realpath "$2")}

readonly PKG=rwproxy
readonly BIN=/usr/bin/rwproxy
readonly CONFIG=/etc/rwproxy/rwproxy.cnf
readonly DATADIR=/var/lib/rwproxy
readonly UNIT=rwproxy.service
readonly UNIT_FILE=/lib/systemd/system/$UNIT
readonly READY_TIMEOUT_S=30 STOP_TIMEOUT_S=30

started_s=$(date +%s)
step() { log "package test [$(($(date +%s) - started_s)) s]: $*"; }

# lintian, systemd-analyze (systemd), dpkg-shlibdeps (dpkg-dev), file and strip for CPack,
# adduser for the maintainer scripts, MariaDB for the test cluster and the client.
ensure_packages lintian systemd dpkg-dev file binutils adduser mariadb-server mariadb-client

work=$(mktemp -d "${TMPDIR:-/tmp}/rwproxy-package-test.XXXXXX")
chmod 0755 "$work"  # lintian runs as nobody and reads the .deb from here
proxy_pids=()
datadirs=()

pkg_status() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null || true; }

# A system user rwproxy with the package's home and shell but no package: what a purge that
# failed half-way (or a run killed with SIGKILL) leaves. Removed so the next run starts clean;
# the run that left it has already failed and said why.
remove_stray_user() {
  if [ -z "$(pkg_status)" ] && getent passwd rwproxy | grep -q ":$DATADIR:/usr/sbin/nologin$"; then
    log "removing a leftover rwproxy user"
    userdel rwproxy
  fi
  if [ -z "$(pkg_status)" ] && getent group rwproxy >/dev/null && ! getent passwd rwproxy >/dev/null
  then
    groupdel rwproxy
  fi
}

# Stops what this script started and purges the package: on success the purge is already
# done (and checked), on failure it leaves the machine as it found it.
cleanup() {
  local rc=$?
  set +e
  for pid in "${proxy_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if [ $rc -ne 0 ]; then
    for f in "$work"/proxy*.log; do
      [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
  fi
  rm -rf "${datadirs[@]}"
  [ -d "$work/cluster" ] && "$RWPROXY_ROOT/tests/cluster/cluster" stop "$work/cluster"
  [ -n "$(pkg_status)" ] && dpkg --purge "$PKG" >/dev/null 2>&1
  [ $rc -eq 0 ] || remove_stray_user
  rm -rf "$work"
  [ $rc -eq 0 ] || log "package test FAILED after $(($(date +%s) - started_s)) s"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # run cleanup on a signal too

# expect WHAT ACTUAL EXPECTED
expect() { [ "$2" = "$3" ] || die "$1: expected '$3', got '$2'"; }
absent() { local p; for p; do if [ -e "$p" ] || [ -L "$p" ]; then die "$p is still there"; fi; done; }
present() { local p; for p; do [ -e "$p" ] || die "$p is missing"; done; }
owner_mode() { stat -c '%U %G %a' "$1"; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
[ -n "$version" ] || die "no CMAKE_PROJECT_VERSION in $build_dir/CMakeCache.txt"
arch=$(dpkg --print-architecture)

step "purge a leftover install"
if [ -n "$(pkg_status)" ]; then
  if [ -f "$DATADIR/rwproxy.db" ] && [ "${RWPROXY_PACKAGE_TEST_FORCE:-0}" != 1 ]; then
    die "rwproxy is installed with a configuration in $DATADIR/rwproxy.db; this test would" \
        "purge it (RWPROXY_PACKAGE_TEST_FORCE=1 to allow)"
  fi
  dpkg --purge "$PKG" >/dev/null
fi
remove_stray_user
absent "$BIN" "$CONFIG" "$DATADIR"
! getent passwd rwproxy >/dev/null || die "a user rwproxy exists without the package"

if [ -z "$deb" ]; then
  step "build the package from $build_dir"
  deb=$("$RWPROXY_ROOT/scripts/package" --build-dir "$build_dir" --output "$work")
fi
expect "package file name" "$(basename "$deb")" "${PKG}_${version}_${arch}.deb"
expect "package version" "$(dpkg-deb -f "$deb" Version)" "$version"
cp "$deb" "$work/" 2>/dev/null || true  # readable by nobody for lintian
deb_copy=$work/$(basename "$deb")

# lintian must report no error and no warning. The tags it still reports are informational:
#   hardening-no-fortify-functions, hardening-no-bindnow: the build does not use Debian's
#     dpkg-buildflags hardening (-D_FORTIFY_SOURCE=2, -Wl,-z,now); it is the project's
#     Release build, the one the tests ran, packaged as is.
# package-supports-alternative-init-but-no-init.d-script is overridden in the package itself
# (packaging/debian/lintian-overrides says why). Lintian runs as nobody: it warns against root.
step "lintian"
HOME=$work setpriv --reuid=nobody --regid=nogroup --clear-groups \
  lintian --fail-on error,warning --display-info --pedantic "$deb_copy" ||
  die "lintian reports errors or warnings"

step "dpkg -i"
dpkg -i "$deb" >"$work/dpkg-install.log" 2>&1 || { cat "$work/dpkg-install.log" >&2; die "dpkg -i"; }
expect "package status" "$(pkg_status)" "install ok installed"
expect "rwproxy --version" "$("$BIN" --version)" "rwproxy $version"
"$BIN" --help | grep -q -- '--initial' || die "rwproxy --help does not document --initial"

# The system user, its group and the datadir, and the config readable by that group only.
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd rwproxy) || die "no rwproxy user"
[ "$uid" -lt 1000 ] || die "rwproxy is not a system user (uid $uid)"
expect "rwproxy's group" "$(getent group "$gid" | cut -d: -f1)" rwproxy
expect "rwproxy's home" "$home" "$DATADIR"
expect "rwproxy's shell" "$shell" /usr/sbin/nologin
expect "$DATADIR owner and mode" "$(owner_mode "$DATADIR")" "rwproxy rwproxy 750"
expect "$CONFIG owner and mode" "$(owner_mode "$CONFIG")" "root rwproxy 640"
dpkg-query -W -f='${Conffiles}\n' "$PKG" | grep -q "^ $CONFIG " || die "$CONFIG is no conffile"
present "$UNIT_FILE" /usr/share/man/man8/rwproxy.8.gz /usr/share/doc/rwproxy/copyright \
  /usr/share/doc/rwproxy/changelog.gz
expect "changelog version" "$(zcat /usr/share/doc/rwproxy/changelog.gz |
  dpkg-parsechangelog -l- -S Version)" "$version"
depends=$(dpkg-query -W -f='${Depends}' "$PKG")
for lib in libc6 libuv1 libre2 libsqlite3 libssl3 libfmt adduser; do
  [[ $depends == *"$lib"* ]] || die "Depends lacks $lib: $depends"
done
# Enabled the Debian way (deb-systemd-helper), whether or not systemd runs here.
expect "enabled unit" "$(readlink "/etc/systemd/system/multi-user.target.wants/$UNIT")" "$UNIT_FILE"

step "systemd-analyze verify"
# It prints problems (unknown keys, bad values, a missing ExecStart binary) as warnings with
# exit status 0, so any output fails the test.
verify_out=$(systemd-analyze verify "$UNIT_FILE" 2>&1) || die "systemd-analyze verify: $verify_out"
[ -z "$verify_out" ] || die "systemd-analyze verify: $verify_out"

step "dpkg -i again (the upgrade path, idempotent maintainer scripts)"
dpkg -i "$deb" >"$work/dpkg-reinstall.log" 2>&1 || { cat "$work/dpkg-reinstall.log" >&2; die "dpkg -i again"; }
expect "uid after reinstall" "$(id -u rwproxy)" "$uid"
expect "$CONFIG after reinstall" "$(owner_mode "$CONFIG")" "root rwproxy 640"

if [ -d /run/systemd/system ]; then
  step "the service (systemd runs here)"
  for _ in $(seq 1 100); do
    systemctl is-active --quiet "$UNIT" && break
    sleep 0.1
  done
  systemctl is-active --quiet "$UNIT" ||
    { journalctl -u "$UNIT" -n 30 --no-pager >&2 || true; die "$UNIT is not active"; }
else
  step "no running systemd here: the service is not started, as expected"
fi

# start_proxy NAME CONFIG DATADIR: the installed binary as the rwproxy user, on free loopback
# ports; sets app_port and admin_port from its ready line.
start_proxy() {
  local name=$1 config=$2 dir=$3 log=$work/proxy-$1.log
  : >"$log"  # before the background start, so that the grep below never misses the file
  setpriv --reuid=rwproxy --regid=rwproxy --init-groups --no-new-privs -- \
    "$BIN" --config "$config" --datadir "$dir" --listen 127.0.0.1:0 --admin 127.0.0.1:0 \
    --threads 2 2>"$log" &
  local pid=$!
  proxy_pids+=("$pid")
  local deadline=$(($(date +%s) + READY_TIMEOUT_S)) ready=""
  until ready=$(grep -m1 ' ready: application port ' "$log"); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "rwproxy ($name) exited before ready"; }
    [ "$(date +%s)" -lt $deadline ] || die "rwproxy ($name) not ready in ${READY_TIMEOUT_S}s"
    sleep 0.05
  done
  app_port=$(sed -E 's/.* application port [^ ]*:([0-9]+) .*/\1/' <<<"$ready")
  admin_port=$(sed -E 's/.*, admin port ([0-9]+).*/\1/' <<<"$ready")
  [[ $app_port =~ ^[0-9]+$ && $admin_port =~ ^[0-9]+$ ]] || die "cannot parse: $ready"
  expect "rwproxy ($name) runs as" "$(stat -c %U "/proc/$pid")" rwproxy
  proxy_pid=$pid
}

# stop_proxy: SIGTERM, and it must exit 0 in time.
stop_proxy() {
  local pid=$proxy_pid deadline=$(($(date +%s) + STOP_TIMEOUT_S)) rc=0
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    [ "$(date +%s)" -lt $deadline ] || die "rwproxy did not stop within ${STOP_TIMEOUT_S}s"
    sleep 0.05
  done
  wait "$pid" || rc=$?
  local kept=() p
  for p in "${proxy_pids[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  proxy_pids=("${kept[@]}")
  expect "rwproxy exit status after SIGTERM" "$rc" 0
}

# admin USER:PASSWORD SQL / app SQL: one statement batch, tab-separated, no column names.
admin() {
  mariadb --no-defaults -h127.0.0.1 -P"$admin_port" -u"${1%%:*}" -p"${1#*:}" -N -B -e "$2"
}
app() { mariadb --no-defaults -h127.0.0.1 -P"$app_port" -u"$APP_USER" -p"$APP_PASSWORD" -N -B -e "$1"; }

# new_datadir: an empty datadir owned by rwproxy, in $datadir.
new_datadir() {
  datadir=$(mktemp -d "${TMPDIR:-/tmp}/rwproxy-package-data.XXXXXX")
  datadirs+=("$datadir")
  chown rwproxy:rwproxy "$datadir"
  chmod 0750 "$datadir"
}

step "MariaDB test cluster"
"$RWPROXY_ROOT/tests/cluster/cluster" start "$work/cluster" --replicas 1 >/dev/null
# shellcheck disable=SC1091
source "$work/cluster/cluster.env"

step "run the installed rwproxy as rwproxy with $CONFIG"
new_datadir
data=$datadir
start_proxy packaged "$CONFIG" "$data"
comment=$(admin admin:admin 'SELECT @@version_comment LIMIT 1')
[[ $comment == *"$version"* ]] || die "admin @@version_comment '$comment' lacks $version"
# Everything in the packaged config but the interfaces is commented out.
expect "servers from $CONFIG" "$(admin admin:admin 'SELECT COUNT(*) FROM mysql_servers')" 0
expect "rules from $CONFIG" "$(admin admin:admin 'SELECT COUNT(*) FROM mysql_query_rules')" 0
admin admin:admin "
  INSERT INTO mysql_servers(hostgroup_id,hostname,port) VALUES (10,'127.0.0.1',$WRITER_PORT);
  INSERT INTO mysql_users(username,password,default_hostgroup)
    VALUES ('$APP_USER','$APP_PASSWORD',10);
  LOAD MYSQL SERVERS TO RUNTIME; LOAD MYSQL USERS TO RUNTIME;
  SAVE MYSQL SERVERS TO DISK; SAVE MYSQL USERS TO DISK;"
expect "SELECT @@server_id through rwproxy" "$(app 'SELECT @@server_id')" 1
expect "rwproxy.db owner and mode" "$(stat -c '%U %G' "$data/rwproxy.db")" "rwproxy rwproxy"
stop_proxy

step "restart: rwproxy.db, not the config file, is the source of truth"
start_proxy restarted "$CONFIG" "$data"
expect "servers after restart" "$(admin admin:admin 'SELECT COUNT(*) FROM runtime_mysql_servers')" 1
expect "SELECT @@server_id after restart" "$(app 'SELECT @@server_id')" 1
stop_proxy

step "the config's commented examples are valid admin SQL"
examples=$work/examples.cnf
sed -E 's/^-- ((INSERT INTO|SET) .*)$/\1/' "$CONFIG" >"$examples"
chmod 0644 "$examples"
expect "uncommented mysql_servers examples" "$(grep -c '^INSERT INTO mysql_servers' "$examples")" 3
expect "uncommented mysql_users examples" "$(grep -c '^INSERT INTO mysql_users' "$examples")" 1
expect "uncommented mysql_query_rules examples" \
  "$(grep -c '^INSERT INTO mysql_query_rules' "$examples")" 2
credentials=$(sed -nE "s/^SET admin-admin_credentials='([^';]+).*/\1/p" "$examples")
[ -n "$credentials" ] || die "no admin-admin_credentials example in $CONFIG"
new_datadir
start_proxy examples "$examples" "$datadir"
expect "example servers" "$(admin "$credentials" 'SELECT COUNT(*) FROM runtime_mysql_servers')" 3
expect "example users" "$(admin "$credentials" 'SELECT COUNT(*) FROM runtime_mysql_users')" 1
expect "example rules" "$(admin "$credentials" \
  'SELECT match_digest, destination_hostgroup FROM runtime_mysql_query_rules ORDER BY rule_id' |
  tr '\t\n' ' ;')" "^SELECT.*FOR UPDATE 10;^SELECT 20;"
stop_proxy
rm -rf "${datadirs[@]}"  # owned by rwproxy, whose uid goes away with the purge
datadirs=()

step "dpkg -r: the binary goes, the configuration, the user and the datadir stay"
dpkg -r "$PKG" >"$work/dpkg-remove.log" 2>&1 || { cat "$work/dpkg-remove.log" >&2; die "dpkg -r"; }
expect "package status after remove" "$(pkg_status)" "deinstall ok config-files"
absent "$BIN" "$UNIT_FILE"
present "$CONFIG" "$DATADIR"
getent passwd rwproxy >/dev/null || die "dpkg -r removed the rwproxy user"

step "dpkg --purge: nothing is left"
dpkg --purge "$PKG" >"$work/dpkg-purge.log" 2>&1 || { cat "$work/dpkg-purge.log" >&2; die "dpkg --purge"; }
[ -z "$(pkg_status)" ] || expect "package status after purge" "$(pkg_status)" "unknown ok not-installed"
absent "$BIN" "$CONFIG" /etc/rwproxy "$DATADIR" "$UNIT_FILE" "/usr$UNIT_FILE" \
  "/etc/systemd/system/$UNIT" "/etc/systemd/system/multi-user.target.wants/$UNIT" \
  "/var/lib/systemd/deb-systemd-helper-enabled/$UNIT" \
  "/var/lib/systemd/deb-systemd-helper-enabled/$UNIT.dsh-also" \
  "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/$UNIT" \
  "/var/lib/systemd/deb-systemd-helper-masked/$UNIT" \
  /usr/share/doc/rwproxy /usr/share/man/man8/rwproxy.8.gz /usr/share/lintian/overrides/rwproxy
! getent passwd rwproxy >/dev/null || die "the rwproxy user is still there"
! getent group rwproxy >/dev/null || die "the rwproxy group is still there"
! dpkg-statoverride --list "$CONFIG" >/dev/null || die "the statoverride of $CONFIG is still there"
# find fails when other processes delete files under /tmp during the walk, and head may cut it
# short (SIGPIPE): neither is a finding, only what it prints is.
orphans=$(find /etc /var /tmp /run -xdev \( -uid "$uid" -o -gid "$gid" \) -print 2>/dev/null |
  head -n 5 || true)
[ -z "$orphans" ] || die "files of the removed rwproxy user remain: $orphans"

step "passed in $(($(date +%s) - started_s)) s"

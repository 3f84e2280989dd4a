#include "proxy/protocol/auth_switch.h"

#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;

TEST_CASE("auth switch request round-trips and exposes the salt", "[auth_switch]") {
  AuthSwitchRequest a{"mysql_native_password", std::string("01234567890123456789") + '\0'};
  std::string out;
  a.encode(out);
  CHECK(out == std::string("\xfemysql_native_password\0", 23) + a.pluginData);
  auto back = AuthSwitchRequest::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(*back == a);
  CHECK(back->salt() == "01234567890123456789");
  forEachPrefix(out, [&](Bytes prefix, size_t n) {
    auto r = AuthSwitchRequest::decode(prefix);
    if (n <= 22) {
      CHECK_FALSE(r.ok());  // Header only, or plugin name without NUL.
    } else {
      REQUIRE(r.ok());  // Plugin data runs to the end of the packet: shorter is still valid.
      CHECK(r->pluginData.size() == n - 23);
    }
  });
}

TEST_CASE("auth switch rejects other headers and the old-password form", "[auth_switch]") {
  CHECK_FALSE(AuthSwitchRequest::decode(asBytes(fromHex("fe"))).ok());
  CHECK_FALSE(AuthSwitchRequest::decode(asBytes(fromHex("00 61 00"))).ok());
  CHECK_FALSE(AuthSwitchRequest::decode(Bytes{}).ok());
}

TEST_CASE("auth more data round-trips", "[auth_switch]") {
  AuthMoreData m{std::string(1, static_cast<char>(kCachingSha2FastAuthSuccess))};
  std::string out;
  m.encode(out);
  CHECK(out == fromHex("01 03"));
  auto back = AuthMoreData::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK_FALSE(AuthMoreData::decode(Bytes{}).ok());
  CHECK_FALSE(AuthMoreData::decode(asBytes(fromHex("02 03"))).ok());
}

}  // namespace
}  // namespace rwproxy::protocol

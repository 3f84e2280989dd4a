#include "proxy/protocol/handshake.h"

#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;

std::string payloadOf(const char* packetHex) { return fromHex(packetHex).substr(4); }

TEST_CASE("decodes a MariaDB 10.11 greeting", "[handshake]") {
  std::string payload = payloadOf(test::kMariadbHandshake);
  auto h = HandshakeV10::decode(asBytes(payload));
  REQUIRE(h.ok());
  CHECK(h->protocolVersion == 10);
  CHECK(h->serverVersion == "5.5.5-10.11.19-MariaDB-0+deb12u1-log");
  CHECK(h->connectionId == 7);
  CHECK(h->authPluginData == fromHex(test::kMariadbSalt));
  CHECK(h->capabilities == 0x81fff7feu);
  CHECK((h->capabilities & kClientMysql) == 0);
  CHECK(h->capabilities & kClientPluginAuth);
  CHECK(h->capabilities & kClientDeprecateEof);
  CHECK(h->mariadbExtendedCapabilities == 0x1d);
  CHECK(h->characterSet == 45);
  CHECK(h->statusFlags == kServerStatusAutocommit);
  CHECK(h->authPluginName == "mysql_native_password");
}

TEST_CASE("re-encoding the MariaDB greeting gives the same bytes", "[handshake]") {
  std::string payload = payloadOf(test::kMariadbHandshake);
  auto h = HandshakeV10::decode(asBytes(payload));
  REQUIRE(h.ok());
  std::string out;
  h->encode(out);
  CHECK(test::toHex(out) == test::toHex(payload));
}

HandshakeV10 sample(uint32_t caps) {
  HandshakeV10 h;
  h.serverVersion = "10.11.0-rwproxy";
  h.connectionId = 0xDEADBEEF;
  h.authPluginData = "abcdefgh0123456789AB";
  h.capabilities = caps;
  h.characterSet = kCharsetUtf8mb4GeneralCi;
  h.statusFlags = kServerStatusAutocommit;
  h.authPluginName = "mysql_native_password";
  h.mariadbExtendedCapabilities = (caps & kClientMysql) ? 0 : 0x1d;
  return h;
}

TEST_CASE("handshake round-trips in MySQL and MariaDB modes", "[handshake]") {
  for (uint32_t mysqlBit : {0u, kClientMysql}) {
    HandshakeV10 h = sample(kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                            kClientDeprecateEof | kClientSessionTrack | mysqlBit);
    std::string out;
    h.encode(out);
    auto back = HandshakeV10::decode(asBytes(out));
    REQUIRE(back.ok());
    CHECK(*back == h);
  }
}

TEST_CASE("every truncation of a greeting fails or is a tolerated short form", "[handshake]") {
  std::string payload = payloadOf(test::kMariadbHandshake);
  auto full = HandshakeV10::decode(asBytes(payload));
  REQUIRE(full.ok());
  const size_t nameStart = payload.size() - std::string_view("mysql_native_password").size() - 1;
  forEachPrefix(payload, [&](Bytes prefix, size_t n) {
    auto h = HandshakeV10::decode(prefix);
    if (n > nameStart) {
      // A plugin name without its NUL is accepted (MySQL bug #59453): the name is cut.
      REQUIRE(h.ok());
      CHECK(h->authPluginName == full->authPluginName.substr(0, n - nameStart));
    } else {
      CHECK_FALSE(h.ok());
    }
  });
}

TEST_CASE("rejects other protocol versions", "[handshake]") {
  std::string payload = payloadOf(test::kMariadbHandshake);
  payload[0] = 9;
  auto h = HandshakeV10::decode(asBytes(payload));
  REQUIRE_FALSE(h.ok());
  CHECK(h.error().code == kErUnknownComError);
}

}  // namespace
}  // namespace rwproxy::protocol

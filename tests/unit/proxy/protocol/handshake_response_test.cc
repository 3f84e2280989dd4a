#include "proxy/protocol/handshake_response.h"

#include "proxy/protocol/auth.h"
#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;

std::string payloadOf(const char* packetHex) { return fromHex(packetHex).substr(4); }

TEST_CASE("decodes the login of libmariadb (the mariadb CLI)", "[handshake_response]") {
  std::string payload = payloadOf(test::kLibmariadbLogin);
  CHECK_FALSE(isSslRequest(asBytes(payload)));
  auto h = HandshakeResponse41::decode(asBytes(payload));
  REQUIRE(h.ok());
  CHECK(h->capabilities == 0x00bfa28cu);
  CHECK((h->capabilities & kClientMysql) == 0);
  CHECK(h->mariadbExtendedCapabilities == 0x1d);
  CHECK(h->maxPacketSize == 0x00100000u);
  CHECK(h->characterSet == 33);
  CHECK(h->username == "app");
  CHECK(h->authResponse.size() == 20);
  CHECK(h->database == "rwtest");
  CHECK(h->authPluginName == "mysql_native_password");
  REQUIRE(h->connectAttributes.size() == 7);
  CHECK(h->connectAttributes[0] == std::pair<std::string, std::string>("_os", "Linux"));
  CHECK(h->connectAttributes[1].first == "_client_name");
  CHECK(h->connectAttributes[1].second == "libmariadb");
  CHECK(h->connectAttributes[6].first == "_server_host");
  CHECK(h->connectAttributes[6].second == "127.0.0.1");

  // The scramble in the capture is app_pw's for the captured greeting's salt.
  std::string salt = fromHex(test::kMariadbSalt);
  CHECK(verifyNativePassword("app_pw", asBytes(salt), asBytes(h->authResponse)));
  CHECK_FALSE(verifyNativePassword("app_pwx", asBytes(salt), asBytes(h->authResponse)));

  std::string out;
  h->encode(out);
  CHECK(test::toHex(out) == test::toHex(payload));
}

TEST_CASE("every truncation of a login fails", "[handshake_response]") {
  std::string payload = payloadOf(test::kLibmariadbLogin);
  forEachPrefix(payload, [&](Bytes prefix, size_t n) {
    auto h = HandshakeResponse41::decode(prefix);
    // The only accepted prefix stops right before the attributes, which a client may omit.
    if (n == payload.size() - 0x7f) {
      REQUIRE(h.ok());
      CHECK(h->connectAttributes.empty());
    } else {
      CHECK_FALSE(h.ok());
    }
  });
}

HandshakeResponse41 sample(uint32_t caps) {
  HandshakeResponse41 h;
  h.capabilities = caps;
  h.maxPacketSize = 16 << 20;
  h.characterSet = kCharsetUtf8mb4GeneralCi;
  h.username = "app";
  h.authResponse = "01234567890123456789";
  if (caps & kClientConnectWithDb) h.database = "db";
  if (caps & kClientPluginAuth) h.authPluginName = "mysql_native_password";
  if (caps & kClientConnectAttrs) h.connectAttributes = {{"_client_name", "rwproxy"}, {"k", ""}};
  if ((caps & kClientMysql) == 0) h.mariadbExtendedCapabilities = 0x5;
  return h;
}

TEST_CASE("login round-trips for every combination of layout flags", "[handshake_response]") {
  const uint32_t optional[] = {kClientSecureConnection, kClientPluginAuthLenencClientData,
                               kClientConnectWithDb,    kClientPluginAuth,
                               kClientConnectAttrs,     kClientMysql};
  for (uint32_t mask = 0; mask < (1u << 6); ++mask) {
    uint32_t caps = kClientProtocol41;
    for (size_t i = 0; i < 6; ++i) {
      if (mask & (1u << i)) caps |= optional[i];
    }
    INFO("capabilities " << caps);
    HandshakeResponse41 h = sample(caps);
    std::string out;
    h.encode(out);
    auto back = HandshakeResponse41::decode(asBytes(out));
    REQUIRE(back.ok());
    CHECK(*back == h);
  }
}

TEST_CASE("an auth response of 300 bytes needs the lenenc form", "[handshake_response]") {
  HandshakeResponse41 h = sample(kClientProtocol41 | kClientPluginAuthLenencClientData |
                                 kClientSecureConnection | kClientPluginAuth);
  h.authResponse.assign(300, '\x07');
  std::string out;
  h.encode(out);
  auto back = HandshakeResponse41::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(back->authResponse == h.authResponse);
}

TEST_CASE("SSLRequest is recognised and not taken for a login", "[handshake_response]") {
  SslRequest s{kClientProtocol41 | kClientSsl | kClientSecureConnection, 1 << 24, 45, 0x1d};
  std::string out;
  s.encode(out);
  CHECK(out.size() == kSslRequestSize);
  CHECK(isSslRequest(asBytes(out)));
  auto back = SslRequest::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(*back == s);
  CHECK_FALSE(HandshakeResponse41::decode(asBytes(out)).ok());

  SslRequest noSsl{kClientProtocol41, 1 << 24, 45, 0};
  std::string plain;
  noSsl.encode(plain);
  CHECK_FALSE(isSslRequest(asBytes(plain)));
  forEachPrefix(out, [](Bytes prefix, size_t) {
    CHECK_FALSE(isSslRequest(prefix));
    CHECK_FALSE(SslRequest::decode(prefix).ok());
  });
}

TEST_CASE("pre-4.1 logins are refused", "[handshake_response]") {
  HandshakeResponse41 h = sample(kClientSecureConnection);
  std::string out;
  h.encode(out);
  auto back = HandshakeResponse41::decode(asBytes(out));
  REQUIRE_FALSE(back.ok());
  CHECK(back.error().code == kErUnknownComError);
}

TEST_CASE("connection attributes longer than the packet are rejected", "[handshake_response]") {
  // Bytes after the attributes block are ignored, as the server does (room for extensions).
  HandshakeResponse41 h = sample(kClientProtocol41 | kClientConnectAttrs | kClientMysql);
  std::string out;
  h.encode(out);
  out.push_back('x');
  auto withTrailer = HandshakeResponse41::decode(asBytes(out));
  REQUIRE(withTrailer.ok());
  CHECK(withTrailer->connectAttributes == h.connectAttributes);

  std::string bad;
  HandshakeResponse41 empty = sample(kClientProtocol41 | kClientMysql);
  empty.capabilities |= kClientConnectAttrs;
  empty.encode(bad);
  bad.back() = 0x05;  // Attributes length 5, but nothing follows.
  CHECK_FALSE(HandshakeResponse41::decode(asBytes(bad)).ok());
}

}  // namespace
}  // namespace rwproxy::protocol

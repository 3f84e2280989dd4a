#include "proxy/protocol/ok_packet.h"

#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

constexpr uint32_t kCaps41 = kClientProtocol41 | kClientTransactions;
constexpr uint32_t kCapsTrack = kCaps41 | kClientSessionTrack;

std::string payloadOf(const char* packetHex) { return fromHex(packetHex).substr(4); }

TEST_CASE("decodes the documentation's OK example", "[ok]") {
  // dev.mysql.com OK_Packet example: 07 00 00 02 00 00 00 02 00 00 00.
  std::string payload = payloadOf("0700000200000002000000");
  auto ok = OkPacket::decode(asBytes(payload), kCaps41);
  REQUIRE(ok.ok());
  CHECK(ok->header == 0);
  CHECK(ok->affectedRows == 0);
  CHECK(ok->lastInsertId == 0);
  CHECK(ok->statusFlags == kServerStatusAutocommit);
  CHECK(ok->warnings == 0);
  CHECK(ok->info.empty());
  CHECK(isOk(asBytes(payload)));
  CHECK(statusFlagsOf(asBytes(payload)) == kServerStatusAutocommit);
}

TEST_CASE("decodes MariaDB's login OK with a schema tracker record", "[ok]") {
  std::string payload = payloadOf(test::kLoginOk);
  auto ok = OkPacket::decode(asBytes(payload), kCapsTrack);
  REQUIRE(ok.ok());
  CHECK(ok->statusFlags == (kServerStatusAutocommit | kServerSessionStateChanged));
  CHECK(ok->info.empty());
  CHECK(ok->sessionStateInfo == fromHex("01 07 06 727774657374"));
  std::string out;
  ok->encode(out, kCapsTrack);
  CHECK(toHex(out) == toHex(payload));
  CHECK(statusFlagsOf(asBytes(payload)) == ok->statusFlags);
}

TEST_CASE("decodes MariaDB's SET autocommit=0 OK", "[ok]") {
  std::string payload = payloadOf(test::kSetAutocommitOk);
  auto ok = OkPacket::decode(asBytes(payload), kCapsTrack);
  REQUIRE(ok.ok());
  CHECK(ok->statusFlags == kServerSessionStateChanged);
  CHECK(ok->sessionStateInfo == fromHex("00 0f 0a") + "autocommit" + fromHex("03") + "OFF");
  // Without SESSION_TRACK the same bytes read as plain info text.
  auto plain = OkPacket::decode(asBytes(payload), kCaps41);
  REQUIRE(plain.ok());
  CHECK(plain->sessionStateInfo.empty());
  CHECK(plain->info.size() == payload.size() - 7);
}

TEST_CASE("OK round-trips under each capability set", "[ok]") {
  OkPacket ok;
  ok.affectedRows = 251;
  ok.lastInsertId = 0x1000000;
  ok.statusFlags = kServerStatusInTrans | kServerSessionStateChanged;
  ok.warnings = 3;
  ok.info = "Rows matched: 1  Changed: 1  Warnings: 0";
  ok.sessionStateInfo = fromHex("01 03 02 6462");
  for (uint32_t caps : {kCaps41, kCapsTrack, kCapsTrack | kClientDeprecateEof}) {
    OkPacket expected = ok;
    if ((caps & kClientSessionTrack) == 0) expected.sessionStateInfo.clear();
    for (uint8_t header : {kOkHeader, kEofHeader}) {
      expected.header = header;
      std::string out;
      expected.encode(out, caps);
      auto back = OkPacket::decode(asBytes(out), caps);
      REQUIRE(back.ok());
      CHECK(*back == expected);
      CHECK(statusFlagsOf(asBytes(out)) == expected.statusFlags);
    }
  }
}

TEST_CASE("OK truncated anywhere is an error", "[ok]") {
  OkPacket ok;
  ok.affectedRows = 70000;
  ok.lastInsertId = 5;
  ok.statusFlags = kServerSessionStateChanged;
  ok.info = "info";
  ok.sessionStateInfo = "abc";
  std::string out;
  ok.encode(out, kCapsTrack);
  forEachPrefix(out, [&](Bytes prefix, size_t n) {
    auto back = OkPacket::decode(prefix, kCapsTrack);
    // Cutting exactly before the info string is the server's "info omitted" form, which is
    // still an error here because the state-changed flag requires the session state.
    CHECK_FALSE(back.ok());
    if (n < 7) CHECK_FALSE(statusFlagsOf(prefix).has_value());
  });
  // Without the state-changed flag, a missing info string is accepted (servers omit it).
  std::string bare = fromHex("00 00 00 02 00 00 00");
  auto b = OkPacket::decode(asBytes(bare), kCapsTrack);
  REQUIRE(b.ok());
  CHECK(b->info.empty());
}

TEST_CASE("classification of response packets", "[ok]") {
  std::string eof = fromHex("fe 00 00 02 00");
  std::string okAsEof = fromHex("fe 00 00 02 00 00 00");
  std::string err = payloadOf(test::kNoSuchTable);
  std::string row = fromHex("01 31 fb 02 7879");
  std::string longOkAsEof = fromHex("fe 00 00 02 00 00 00") + std::string(20, 'i');

  CHECK(isEofOrOkAsEof(asBytes(eof), kCaps41));
  CHECK(isEofOrOkAsEof(asBytes(okAsEof), kCaps41));
  CHECK_FALSE(isEofOrOkAsEof(asBytes(longOkAsEof), kCaps41));
  CHECK(isEofOrOkAsEof(asBytes(longOkAsEof), kCaps41 | kClientDeprecateEof));
  CHECK_FALSE(isEofOrOkAsEof(asBytes(row), kCaps41));
  CHECK_FALSE(isEofOrOkAsEof(Bytes{}, kCaps41));
  CHECK(isErr(asBytes(err)));
  CHECK_FALSE(isErr(asBytes(eof)));
  CHECK_FALSE(isOk(asBytes(err)));
  CHECK_FALSE(isOk(asBytes(fromHex("00 00"))));

  // A row whose first value is 2^24 bytes or longer starts with 0xFE and fills a whole chunk.
  std::string hugeRowChunk(0xFFFFFF, 'x');
  hugeRowChunk[0] = static_cast<char>(0xFE);
  CHECK_FALSE(isEofOrOkAsEof(asBytes(hugeRowChunk), kCaps41 | kClientDeprecateEof));
  CHECK_FALSE(isEofOrOkAsEof(asBytes(hugeRowChunk), kCaps41));

  CHECK(statusFlagsOf(asBytes(eof)) == kServerStatusAutocommit);
  CHECK(statusFlagsOf(asBytes(okAsEof)) == kServerStatusAutocommit);
  CHECK_FALSE(statusFlagsOf(asBytes(err)).has_value());
  CHECK_FALSE(statusFlagsOf(asBytes(fromHex("fe 00 00 02"))).has_value());
  CHECK_FALSE(statusFlagsOf(Bytes{}).has_value());
}

}  // namespace
}  // namespace rwproxy::protocol

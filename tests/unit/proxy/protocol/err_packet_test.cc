#include "proxy/protocol/err_packet.h"

#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

TEST_CASE("decodes the documentation's ERR example", "[err]") {
  // dev.mysql.com ERR_Packet example: 1096 (0x0448) "No tables used", SQLSTATE HY000.
  std::string payload = fromHex("ff 48 04 23 48 59 30 30 30") + "No tables used";
  auto e = ErrPacket::decode(asBytes(payload));
  REQUIRE(e.ok());
  CHECK(e->code == 1096);
  CHECK(e->sqlState == "HY000");
  CHECK(e->message == "No tables used");
  std::string out;
  e->encode(out);
  CHECK(out == payload);
}

TEST_CASE("decodes MariaDB's unknown table error", "[err]") {
  std::string payload = fromHex(test::kNoSuchTable).substr(4);
  auto e = ErrPacket::decode(asBytes(payload));
  REQUIRE(e.ok());
  CHECK(e->code == 1146);
  CHECK(e->sqlState == "42S02");
  CHECK(e->message == "Table 'rwtest.no_such_table' doesn't exist");
}

TEST_CASE("ERR without SQLSTATE marker (sent before capabilities are known)", "[err]") {
  std::string payload = fromHex("ff 10 04") + "Too many connections";
  auto e = ErrPacket::decode(asBytes(payload));
  REQUIRE(e.ok());
  CHECK(e->code == kErConCountError);
  CHECK(e->sqlState == "HY000");
  CHECK(e->message == "Too many connections");
  std::string out;
  e->encode(out, 0);
  CHECK(out == payload);
}

TEST_CASE("ERR round-trips through Error", "[err]") {
  Error error = Error::malformed("bad thing");
  ErrPacket p = ErrPacket::fromError(error);
  std::string out;
  p.encode(out);
  auto back = ErrPacket::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(back->toError() == error);
  CHECK(back->code == kErMalformedPacket);
}

TEST_CASE("ERR pads a short SQLSTATE", "[err]") {
  ErrPacket p{1045, "28", "denied"};
  std::string out;
  p.encode(out);
  CHECK(toHex(out.substr(0, 9)) == toHex(fromHex("ff 15 04 23") + "28000"));
}

TEST_CASE("truncated ERR packets fail unless they cut inside the message", "[err]") {
  std::string payload = fromHex(test::kNoSuchTable).substr(4);
  forEachPrefix(payload, [&](Bytes prefix, size_t n) {
    auto e = ErrPacket::decode(prefix);
    if (n < 3) {
      CHECK_FALSE(e.ok());
    } else if (n == 3) {
      // The code alone reads as a marker-less ERR with an empty message.
      REQUIRE(e.ok());
      CHECK(e->message.empty());
    } else if (n < 9) {
      CHECK_FALSE(e.ok());  // '#' present, SQLSTATE cut.
    } else {
      REQUIRE(e.ok());
      CHECK(e->message.size() == n - 9);
    }
  });
  CHECK_FALSE(ErrPacket::decode(asBytes(fromHex("ff ff ff 00"))).ok());  // progress report
}

}  // namespace
}  // namespace rwproxy::protocol

#include "proxy/protocol/eof_packet.h"

#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

TEST_CASE("decodes the documentation's EOF example", "[eof]") {
  // dev.mysql.com EOF_Packet example: 05 00 00 05 fe 00 00 02 00.
  std::string payload = fromHex("fe 00 00 02 00");
  auto e = EofPacket::decode(asBytes(payload));
  REQUIRE(e.ok());
  CHECK(e->warnings == 0);
  CHECK(e->statusFlags == kServerStatusAutocommit);
  std::string out;
  e->encode(out);
  CHECK(out == payload);
}

TEST_CASE("EOF round-trips and rejects truncation and long packets", "[eof]") {
  EofPacket e{7, kServerMoreResultsExists | kServerStatusInTrans};
  std::string out;
  e.encode(out);
  CHECK(toHex(out) == "fe07000900");
  auto back = EofPacket::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(*back == e);
  forEachPrefix(out, [](Bytes prefix, size_t) { CHECK_FALSE(EofPacket::decode(prefix).ok()); });
  CHECK_FALSE(EofPacket::decode(asBytes(fromHex("fe 00 00 00 00 00 00 00 00"))).ok());
  CHECK_FALSE(EofPacket::decode(asBytes(fromHex("00 00 00 02 00"))).ok());
}

}  // namespace
}  // namespace rwproxy::protocol

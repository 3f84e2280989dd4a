#include "proxy/protocol/text_row.h"

#include <vector>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/packet.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

constexpr uint32_t kCaps = kClientProtocol41 | kClientTransactions;

// Splits a packet stream into its payloads.
std::vector<std::string> payloads(std::string_view wire) {
  PacketAssembler a;
  a.expectSequence(1);
  a.feed(asBytes(wire));
  std::vector<std::string> out;
  while (true) {
    auto next = a.next();
    REQUIRE(next.ok());
    if (!*next) break;
    out.emplace_back(asStringView((*next)->payload));
  }
  REQUIRE(a.buffered() == 0);
  return out;
}

Result<bool> feedAll(TextResultSetDecoder& d, std::string_view wire) {
  Result<bool> done = false;
  for (const std::string& p : payloads(wire)) {
    done = d.feed(asBytes(p));
    if (!done.ok()) return done;
  }
  return done;
}

TEST_CASE("decodes MariaDB result sets with and without DEPRECATE_EOF", "[text_row]") {
  for (uint32_t caps : {kCaps, kCaps | kClientDeprecateEof}) {
    std::string wire =
        fromHex((caps & kClientDeprecateEof) ? test::kSelectDeprecateEof : test::kSelectWithEof);
    TextResultSetDecoder d(caps);
    auto done = feedAll(d, wire);
    REQUIRE(done.ok());
    CHECK(*done);
    const TextResultSet& rs = d.result();
    REQUIRE(rs.columns.size() == 3);
    CHECK(rs.columns[0].name == "a");
    CHECK(rs.columns[0].type == ColumnType::Long);
    CHECK(rs.columns[1].name == "b");
    CHECK(rs.columns[1].type == ColumnType::Null);
    CHECK(rs.columns[2].name == "c");
    REQUIRE(rs.rows.size() == 1);
    CHECK(rs.rows[0] == std::vector<OwnedTextValue>{"1", std::nullopt, "xy"});
    CHECK(d.statusFlags() == kServerStatusAutocommit);

    // encodeResultSet writes what MariaDB wrote.
    std::string out;
    uint8_t seq = 1;
    encodeResultSet(out, seq, rs, caps, kServerStatusAutocommit);
    CHECK(toHex(out) == toHex(wire));
  }
}

TEST_CASE("decoder reports an ERR reply as its error", "[text_row]") {
  TextResultSetDecoder d(kCaps);
  auto done = feedAll(d, fromHex(test::kNoSuchTable));
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code == 1146);
  CHECK(done.error().sqlState == "42S02");
}

TEST_CASE("decoder completes on a plain OK and refuses packets after the end", "[text_row]") {
  TextResultSetDecoder d(kCaps | kClientSessionTrack);
  auto done = feedAll(d, fromHex(test::kSetAutocommitOk));
  REQUIRE(done.ok());
  CHECK(*done);
  CHECK(d.result().columns.empty());
  CHECK(d.statusFlags() == kServerSessionStateChanged);
  std::string ok = fromHex("00 00 00 02 00 00 00");
  CHECK_FALSE(d.feed(asBytes(ok)).ok());
}

TEST_CASE("decoder rejects a row with the wrong number of values", "[text_row]") {
  TextResultSet rs;
  rs.columns = {makeTextColumn("a"), makeTextColumn("b")};
  rs.rows = {{"1", "2"}};
  std::string wire;
  uint8_t seq = 1;
  encodeResultSet(wire, seq, rs, kCaps, 0);
  std::vector<std::string> ps = payloads(wire);
  ps[4] = fromHex("01 31");  // One value for two columns.
  TextResultSetDecoder d(kCaps);
  Result<bool> r = false;
  for (const std::string& p : ps) {
    r = d.feed(asBytes(p));
    if (!r.ok()) break;
  }
  CHECK_FALSE(r.ok());
}

TEST_CASE("text rows round-trip NULL, empty and long values", "[text_row]") {
  std::string v251(251, 'a');
  std::string v65536(65536, 'b');
  std::vector<TextValue> row = {std::nullopt, "", "x", v251, v65536, std::nullopt};
  std::string out;
  encodeTextRow(out, row);
  CHECK(out.substr(0, 4) == fromHex("fb 00 01 78"));
  auto back = decodeTextRow(asBytes(out), row.size());
  REQUIRE(back.ok());
  CHECK(*back == row);
  CHECK_FALSE(decodeTextRow(asBytes(out), row.size() - 1).ok());
  CHECK_FALSE(decodeTextRow(asBytes(out), row.size() + 1).ok());
  forEachPrefix(out,
                [&](Bytes prefix, size_t) { CHECK_FALSE(decodeTextRow(prefix, row.size()).ok()); });
}

TEST_CASE("streamed pieces equal the whole result set", "[text_row]") {
  TextResultSet rs;
  rs.columns = {makeTextColumn("id", ColumnType::LongLong), makeTextColumn("name")};
  rs.rows = {{"1", "one"}, {"2", std::nullopt}};
  for (uint32_t caps : {kCaps, kCaps | kClientDeprecateEof}) {
    std::string whole;
    uint8_t seq1 = 1;
    encodeResultSet(whole, seq1, rs, caps, kServerStatusAutocommit, 2);
    std::string pieces;
    uint8_t seq2 = 1;
    encodeResultSetHead(pieces, seq2, rs.columns, caps, kServerStatusAutocommit);
    for (const auto& r : rs.rows) {
      std::vector<TextValue> views;
      for (const auto& v : r) views.push_back(v ? TextValue(*v) : std::nullopt);
      encodeTextRowPacket(pieces, seq2, views);
    }
    encodeResultSetEnd(pieces, seq2, caps, kServerStatusAutocommit, 2);
    CHECK(whole == pieces);
    CHECK(seq1 == seq2);
    CHECK(seq1 == ((caps & kClientDeprecateEof) ? 1 + 1 + 2 + 2 + 1 : 1 + 1 + 2 + 1 + 2 + 1));

    TextResultSetDecoder d(caps);
    auto done = feedAll(d, whole);
    REQUIRE(done.ok());
    CHECK(*done);
    CHECK(d.result() == rs);
  }
}

}  // namespace
}  // namespace rwproxy::protocol

#include "proxy/cache/cached_reply.h"

#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/proxy/cache/replies.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

using namespace rwproxy::cache;
using namespace rwproxy::cache::test;
using rwproxy::protocol::asBytes;
using rwproxy::protocol::test::forEachPrefix;
using rwproxy::protocol::test::fromHex;
using rwproxy::protocol::test::toHex;

namespace {

constexpr uint16_t kAutocommit = p::kServerStatusAutocommit;

std::string render(const std::string& reply, bool fromDeprecate, bool toDeprecate,
                   uint16_t sessionStatus = kAutocommit) {
  ReplyLayout layout;
  REQUIRE(describeResultSet(asBytes(reply), fromDeprecate, layout) == Refusal::None);
  std::string out = "prefix";  // appended to, never overwritten
  renderReply(out, asBytes(reply), layout, toDeprecate, sessionStatus);
  REQUIRE(out.substr(0, 6) == "prefix");
  CHECK(out.size() - 6 == renderedSize(layout, toDeprecate));
  return out.substr(6);
}

Refusal refusalOf(const std::string& reply, bool deprecateEof) {
  ReplyLayout layout;
  return describeResultSet(asBytes(reply), deprecateEof, layout);
}

}  // namespace

TEST_CASE("a captured MariaDB result set is described in both flavours") {
  std::string classic = fromHex(rwproxy::protocol::test::kSelectWithEof);
  ReplyLayout layout;
  REQUIRE(describeResultSet(asBytes(classic), false, layout) == Refusal::None);
  CHECK(layout.columns == 3);
  CHECK(layout.rows == 1);
  CHECK(layout.statusFlags == kAutocommit);
  CHECK(layout.columnEofStatus == kAutocommit);
  CHECK(layout.rowsBegin == layout.columnsEnd + 9);
  CHECK(layout.size == classic.size());
  CHECK(layout.terminatorBegin == classic.size() - 9);

  std::string deprecate = fromHex(rwproxy::protocol::test::kSelectDeprecateEof);
  REQUIRE(describeResultSet(asBytes(deprecate), true, layout) == Refusal::None);
  CHECK(layout.columns == 3);
  CHECK(layout.rows == 1);
  CHECK(layout.rowsBegin == layout.columnsEnd);
  CHECK(layout.terminatorStatusAt == 3);
  CHECK(layout.terminatorBegin == deprecate.size() - 11);
}

TEST_CASE("DEPRECATE_EOF conversion both ways gives exactly what the server sends that client") {
  // The same SELECT captured from MariaDB for a client without and with CLIENT_DEPRECATE_EOF.
  std::string classic = fromHex(rwproxy::protocol::test::kSelectWithEof);
  std::string deprecate = fromHex(rwproxy::protocol::test::kSelectDeprecateEof);
  CHECK(toHex(render(classic, false, false)) == toHex(classic));
  CHECK(toHex(render(deprecate, true, true)) == toHex(deprecate));
  CHECK(toHex(render(classic, false, true)) == toHex(deprecate));
  CHECK(toHex(render(deprecate, true, false)) == toHex(classic));
}

TEST_CASE("converted replies have consecutive sequence ids, also past 255") {
  ResultSpec spec;
  spec.columns = {"a", "b"};
  for (int i = 0; i < 300; ++i) {
    spec.rows.push_back({std::to_string(i), "x"});
  }
  std::string classic = resultSet(spec, false);
  std::string deprecate = resultSet(spec, true);
  for (const auto& [from, to] : {std::pair{false, true}, std::pair{true, false}}) {
    INFO("from deprecate " << from << " to " << to);
    std::string out = render(from ? deprecate : classic, from, to);
    CHECK(out == (to ? deprecate : classic));
    std::vector<int> ids = sequenceIds(out);
    // Column count + 2 definitions + 300 rows + terminator (+ column EOF without DEPRECATE_EOF).
    REQUIRE(ids.size() == (to ? 304u : 305u));
    for (size_t i = 0; i < ids.size(); ++i) {
      REQUIRE(ids[i] == static_cast<int>((i + 1) % 256));
    }
  }
}

TEST_CASE("the reading session's transaction and autocommit bits replace the stored ones") {
  ResultSpec spec;
  spec.rows = {{"1"}};
  spec.status = kAutocommit | p::kServerQueryNoIndexUsed;
  spec.warnings = 3;
  const uint16_t session = p::kServerStatusInTrans;  // autocommit off, in a transaction
  const uint16_t expected = p::kServerStatusInTrans | p::kServerQueryNoIndexUsed;
  for (bool from : {false, true}) {
    for (bool to : {false, true}) {
      INFO("from deprecate " << from << " to " << to);
      std::string out = render(resultSet(spec, from), from, to, session);
      ResultSpec want = spec;
      want.status = expected;
      std::string wanted = resultSet(want, to);
      if (!to && from) {
        // A column EOF made up from a DEPRECATE_EOF reply carries no warnings.
        size_t columnEof = wanted.size() - 9 - 6 - 9;
        wanted[columnEof + 5] = 0;
      }
      CHECK(toHex(out) == toHex(wanted));
    }
  }
}

TEST_CASE("a DEPRECATE_EOF terminator with an info string is kept for the same flavour") {
  ResultSpec spec;
  spec.rows = {{"a"}, {"b"}};
  spec.okInfo = std::string("\x05hello", 6);
  std::string deprecate = resultSet(spec, true);
  CHECK(render(deprecate, true, true) == deprecate);
  spec.okInfo.clear();
  CHECK(render(deprecate, true, false) == resultSet(spec, false));
}

TEST_CASE("only complete, successful, standalone result sets are cacheable") {
  using namespace std::string_literals;
  ResultSpec spec;
  spec.rows = {{"1"}, {"2"}};
  for (bool deprecate : {false, true}) {
    INFO("deprecate " << deprecate);
    std::string good = resultSet(spec, deprecate);
    CHECK(refusalOf(good, deprecate) == Refusal::None);

    std::string ok;
    uint8_t seq = 1;
    p::appendPacket(ok, seq, "\x00\x01\x00\x02\x00\x00\x00"s);
    CHECK(refusalOf(ok, deprecate) == Refusal::NotResultSet);
    CHECK(refusalOf(fromHex(rwproxy::protocol::test::kNoSuchTable), deprecate) == Refusal::Failed);

    // An ERR in place of a row (the query failed after sending some rows).
    std::string failedLate = good.substr(0, good.size() - (deprecate ? 11 : 9));
    seq = static_cast<uint8_t>(sequenceIds(failedLate).back() + 1);
    p::appendPacket(failedLate, seq, "\xff\x15\x04#70100interrupted"s);
    CHECK(refusalOf(failedLate, deprecate) == Refusal::Failed);

    ResultSpec more = spec;
    more.status |= p::kServerMoreResultsExists;
    CHECK(refusalOf(resultSet(more, deprecate), deprecate) == Refusal::MoreResults);
    ResultSpec inTrans = spec;
    inTrans.status |= p::kServerStatusInTrans;
    CHECK(refusalOf(resultSet(inTrans, deprecate), deprecate) == Refusal::InTransaction);
    ResultSpec autocommitOff = spec;
    autocommitOff.status = 0;
    CHECK(refusalOf(resultSet(autocommitOff, deprecate), deprecate) == Refusal::InTransaction);
    ResultSpec changed = spec;
    changed.status |= p::kServerSessionStateChanged;
    CHECK(refusalOf(resultSet(changed, deprecate), deprecate) == Refusal::SessionStateChanged);

    CHECK(refusalOf(good + good, deprecate) == Refusal::Malformed);  // two replies
    // Read in the wrong flavour, the reply does not parse as one result set.
    CHECK(refusalOf(good, !deprecate) != Refusal::None);
    forEachPrefix(good, [&](rwproxy::protocol::Bytes prefix, size_t) {
      ReplyLayout layout;
      CHECK(describeResultSet(prefix, deprecate, layout) != Refusal::None);
    });
  }
}

TEST_CASE("a row of 16 MiB or more is refused, not split") {
  ResultSpec spec;
  std::string classic = resultSet(spec, false);
  // Column count, definition, EOF, then the header of a full 0xFFFFFF chunk.
  std::string big = classic.substr(0, classic.size() - 9);
  std::string header = fromHex("ff ff ff 04");
  big += header + std::string(0xFFFFFF, 'x');
  big += fromHex("00 00 00 05");
  big += fromHex("05 00 00 06 fe 00 00 02 00");
  CHECK(refusalOf(big, false) == Refusal::TooLarge);
}

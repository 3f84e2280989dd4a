#include "proxy/session/reply_tracker.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "proxy/session/packet_scanner.h"

using rwproxy::session::PacketScanner;
using rwproxy::session::ReplyShape;
using rwproxy::session::ReplyTracker;

namespace {

using Bytes = std::vector<uint8_t>;

// Feeds payloads as complete packets; returns the index of the packet that ended the reply,
// or -1.
int feed(ReplyTracker& t, const std::vector<Bytes>& packets) {
  for (size_t i = 0; i < packets.size(); ++i) {
    const Bytes& p = packets[i];
    size_t n = std::min(p.size(), ReplyTracker::kPrefixBytes);
    if (t.onPacket(static_cast<uint32_t>(p.size()), {p.data(), n})) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Bytes ok(uint16_t status, uint8_t affected = 0, uint8_t insertId = 0) {
  return {0x00,
          affected,
          insertId,
          static_cast<uint8_t>(status & 0xFF),
          static_cast<uint8_t>(status >> 8),
          0,
          0};
}
Bytes okAsEof(uint16_t status) {
  return {0xFE, 0, 0, static_cast<uint8_t>(status & 0xFF), static_cast<uint8_t>(status >> 8), 0, 0};
}
Bytes eof(uint16_t status) {
  return {0xFE, 0, 0, static_cast<uint8_t>(status & 0xFF), static_cast<uint8_t>(status >> 8)};
}
Bytes err(uint16_t code) {
  Bytes b = {0xFF, static_cast<uint8_t>(code & 0xFF), static_cast<uint8_t>(code >> 8), '#'};
  for (char c : std::string("42000oops")) b.push_back(static_cast<uint8_t>(c));
  return b;
}
Bytes columnDef() { return Bytes(40, 0x03); }
Bytes row(const std::string& v) {
  Bytes b(v.size() + 1);
  b[0] = static_cast<uint8_t>(v.size());
  std::copy(v.begin(), v.end(), b.begin() + 1);
  return b;
}

}  // namespace

TEST_CASE("an OK or ERR ends a simple reply") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, false);
  CHECK(feed(t, {ok(0x0003, 2, 7)}) == 0);
  CHECK(t.done());
  CHECK(t.statusFlags() == 0x0003);
  CHECK(t.affectedRows() == 2);
  CHECK(t.lastInsertId() == 7);
  CHECK(t.hasStatus());
  t.begin(ReplyShape::OkOrError, true);
  CHECK(feed(t, {err(1049)}) == 0);
  CHECK(t.failed());
  CHECK(t.errorCode() == 1049);
  CHECK_FALSE(t.hasStatus());  // an ERR says nothing of the session's status
  // Status 0 (autocommit off, no transaction: after COMMIT under autocommit=0) is news too.
  t.begin(ReplyShape::OkOrError, true);
  CHECK(feed(t, {ok(0x0000)}) == 0);
  CHECK(t.hasStatus());
  CHECK(t.statusFlags() == 0);
}

TEST_CASE("a text result set with classic EOF") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, false);
  CHECK(
      feed(t,
           {{0x02}, columnDef(), columnDef(), eof(2), row("a"), row("b"), row("c"), eof(0x0002)}) ==
      7);
  CHECK(t.rowCount() == 3);
  CHECK(t.wellFormed());
}

TEST_CASE("a text result set under DEPRECATE_EOF ends with OK-as-EOF") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, true);
  CHECK(feed(t, {{0x01}, columnDef(), row("x"), okAsEof(0x0002)}) == 3);
  CHECK(t.rowCount() == 1);
}

TEST_CASE("multiple result sets continue while MORE_RESULTS is set") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, false);
  CHECK(feed(t, {{0x01},
                 columnDef(),
                 eof(0x000A),
                 row("1"),
                 eof(0x000A),
                 ok(0x0008),
                 {0x01},
                 columnDef(),
                 eof(0x0002),
                 row("2"),
                 eof(0x0002)}) == 10);
  ReplyTracker t2;
  t2.begin(ReplyShape::ResultSets, true);
  CHECK(feed(t2, {ok(0x000A), ok(0x0002)}) == 1);
}

TEST_CASE("an error in the middle of rows ends the reply") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, true);
  CHECK(feed(t, {{0x01}, columnDef(), row("1"), err(1317)}) == 3);
  CHECK(t.errorCode() == 1317);
}

TEST_CASE("a row of 16 MiB or more is one logical packet in several chunks") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, true);
  CHECK_FALSE(t.onPacket(1, Bytes{0x01}));
  Bytes col = columnDef();
  CHECK_FALSE(t.onPacket(40, col));
  // A row whose first value needs an 8-byte length starts with 0xFE: a full chunk, not an EOF.
  Bytes bigStart = {0xFE, 0, 0, 0, 1, 0, 0, 0, 0};
  CHECK_FALSE(t.onPacket(0xFFFFFF, bigStart));
  // The continuation chunk may start with anything, 0xFE or 0xFF included.
  CHECK_FALSE(t.onPacket(0xFFFFFF, Bytes{0xFF, 0xFF}));
  CHECK_FALSE(t.onPacket(5, Bytes{0xFE, 0, 0, 2, 0}));
  CHECK(t.rowCount() == 1);
  Bytes end = okAsEof(2);
  CHECK(t.onPacket(static_cast<uint32_t>(end.size()), end));
}

TEST_CASE("COM_FIELD_LIST, COM_STATISTICS and COM_STMT_PREPARE replies") {
  ReplyTracker t;
  t.begin(ReplyShape::FieldList, false);
  CHECK(feed(t, {columnDef(), columnDef(), eof(2)}) == 2);
  t.begin(ReplyShape::Statistics, false);
  CHECK(feed(t, {row("Uptime: 5  Threads: 1")}) == 0);
  // OK_stmt: id 1, 2 columns, 1 parameter.
  Bytes prepareOk = {0x00, 1, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0};
  t.begin(ReplyShape::StmtPrepare, false);
  CHECK(feed(t, {prepareOk, columnDef(), eof(2), columnDef(), columnDef(), eof(2)}) == 5);
  t.begin(ReplyShape::StmtPrepare, true);
  CHECK(feed(t, {prepareOk, columnDef(), columnDef(), columnDef()}) == 3);
  Bytes noParamsNoCols = {0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  t.begin(ReplyShape::StmtPrepare, false);
  CHECK(feed(t, {noParamsNoCols}) == 0);
}

TEST_CASE("garbage is reported as not well formed, never read out of bounds") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, false);
  CHECK(feed(t, {{}}) == 0);
  CHECK_FALSE(t.wellFormed());
  t.begin(ReplyShape::ResultSets, false);
  CHECK(feed(t, {{0xFB, 'f'}}) == 0);  // LOCAL INFILE request: never offered
  CHECK_FALSE(t.wellFormed());
  t.begin(ReplyShape::OkOrError, false);
  CHECK(feed(t, {{0x00, 0xFE}}) == 0);  // truncated OK
  CHECK_FALSE(t.wellFormed());
}

TEST_CASE("the scanner finds packet boundaries across arbitrary slices") {
  std::vector<uint8_t> stream;
  auto add = [&](const Bytes& payload, uint8_t seq) {
    uint32_t n = static_cast<uint32_t>(payload.size());
    stream.insert(stream.end(), {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                                 static_cast<uint8_t>(n >> 16), seq});
    stream.insert(stream.end(), payload.begin(), payload.end());
  };
  add({0x01}, 1);
  add(Bytes(100, 0x07), 2);
  add({}, 3);
  add(row("hello"), 4);
  for (size_t slice = 1; slice <= stream.size(); ++slice) {
    PacketScanner<8> scanner;
    std::vector<std::pair<uint32_t, uint8_t>> seen;
    std::vector<uint8_t> firstBytes;
    for (size_t pos = 0; pos < stream.size(); pos += slice) {
      size_t n = std::min(slice, stream.size() - pos);
      size_t used = scanner.scan({stream.data() + pos, n},
                                 [&](uint32_t len, uint8_t seq, std::span<const uint8_t> pre) {
                                   seen.emplace_back(len, seq);
                                   firstBytes.push_back(pre.empty() ? 0xAA : pre[0]);
                                   return false;
                                 });
      REQUIRE(used == n);
    }
    REQUIRE(seen.size() == 4);
    CHECK(seen[0] == std::make_pair(1u, uint8_t{1}));
    CHECK(seen[1] == std::make_pair(100u, uint8_t{2}));
    CHECK(seen[2] == std::make_pair(0u, uint8_t{3}));
    CHECK(seen[3] == std::make_pair(6u, uint8_t{4}));
    CHECK(firstBytes == std::vector<uint8_t>{0x01, 0x07, 0xAA, 5});
    CHECK(scanner.atBoundary());
  }
}

TEST_CASE("the scanner stops right after the packet the callback chooses") {
  std::vector<uint8_t> stream = {1, 0, 0, 0, 0xAA, 1, 0, 0, 1, 0xBB, 1, 0, 0, 2, 0xCC};
  PacketScanner<4> scanner;
  int calls = 0;
  size_t used = scanner.scan(
      stream, [&](uint32_t, uint8_t, std::span<const uint8_t>) { return ++calls == 2; });
  CHECK(used == 10);
  CHECK(calls == 2);
}

namespace {

// An OK with SERVER_SESSION_STATE_CHANGED and `stateBytes` bytes of state info after an empty
// info string (the bytes themselves are filler: the tracker only keeps them).
Bytes stateOk(uint8_t header, uint16_t status, size_t stateBytes) {
  status |= 0x4000;
  Bytes b = {header, 0, 0, static_cast<uint8_t>(status & 0xFF), static_cast<uint8_t>(status >> 8),
             0,      0, 0};
  if (stateBytes < 251) {
    b.push_back(static_cast<uint8_t>(stateBytes));
  } else {
    b.insert(b.end(), {0xFC, static_cast<uint8_t>(stateBytes & 0xFF),
                       static_cast<uint8_t>(stateBytes >> 8)});
  }
  for (size_t i = 0; i < stateBytes; ++i) b.push_back(static_cast<uint8_t>('a' + i % 26));
  return b;
}

// What BackendConnection does: packets framed into one stream, fed through a scanner in
// `slice`-byte pieces, the tracker choosing which packets come whole.
void scanReply(ReplyTracker& t, const std::vector<Bytes>& packets, size_t slice) {
  std::vector<uint8_t> stream;
  uint8_t seq = 1;
  for (const Bytes& p : packets) {
    uint32_t n = static_cast<uint32_t>(p.size());
    stream.insert(stream.end(), {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                                 static_cast<uint8_t>(n >> 16), seq++});
    stream.insert(stream.end(), p.begin(), p.end());
  }
  PacketScanner<ReplyTracker::kPrefixBytes> scanner;
  bool done = false;
  for (size_t pos = 0; pos < stream.size() && !done; pos += slice) {
    size_t n = std::min(slice, stream.size() - pos);
    size_t used = scanner.scan(
        {stream.data() + pos, n},
        [&](uint32_t length, uint8_t, std::span<const uint8_t> payload) {
          done = t.onPacket(length, payload);
          return done;
        },
        [&](uint32_t length, uint8_t first) { return t.keepWhole(length, first); });
    REQUIRE(used == n);
  }
  REQUIRE(done);
}

}  // namespace

TEST_CASE("the OK that reports a session state change is kept whole") {
  const Bytes small = stateOk(0x00, 0x0002, 40);
  const Bytes big = stateOk(0x00, 0x0002, 3000);
  for (size_t slice : {size_t{1}, size_t{7}, size_t{4096}}) {
    INFO("slice " << slice);
    ReplyTracker t;
    for (const Bytes& okPacket : {small, big}) {
      t.begin(ReplyShape::ResultSets, false);
      scanReply(t, {okPacket}, slice);
      REQUIRE(t.stateReport() == ReplyTracker::StateReport::Kept);
      CHECK(Bytes(t.stateOk().begin(), t.stateOk().end()) == okPacket);
    }
    // Under DEPRECATE_EOF a result set's closing OK carries it.
    const Bytes closing = stateOk(0xFE, 0x0002, 20);
    t.begin(ReplyShape::ResultSets, true);
    scanReply(t, {{0x01}, columnDef(), row("1"), closing}, slice);
    REQUIRE(t.stateReport() == ReplyTracker::StateReport::Kept);
    CHECK(Bytes(t.stateOk().begin(), t.stateOk().end()) == closing);
    // The next reply starts with nothing kept.
    t.begin(ReplyShape::OkOrError, false);
    scanReply(t, {ok(0x0002)}, slice);
    CHECK(t.stateReport() == ReplyTracker::StateReport::None);
    CHECK(t.stateOk().empty());
  }
}

TEST_CASE("a state change that cannot be kept is reported as lost") {
  ReplyTracker t;
  // Beyond the scanner's limit only the prefix arrives.
  t.begin(ReplyShape::ResultSets, false);
  scanReply(t, {stateOk(0x00, 0x0002, PacketScanner<32>::kWholeLimit)}, 1000);
  CHECK(t.stateReport() == ReplyTracker::StateReport::Lost);
  CHECK(t.stateOk().empty());
  // A classic EOF has a status but no room for state info.
  t.begin(ReplyShape::ResultSets, false);
  scanReply(t, {{0x01}, columnDef(), eof(0x0002), row("1"), eof(0x4002)}, 3);
  CHECK(t.stateReport() == ReplyTracker::StateReport::Lost);
  // Two results that both report one: which change belongs to what is not ours to guess.
  t.begin(ReplyShape::ResultSets, false);
  scanReply(t, {stateOk(0x00, 0x000A, 10), stateOk(0x00, 0x0002, 10)}, 5);
  CHECK(t.stateReport() == ReplyTracker::StateReport::Lost);
  // Fed directly without the scanner, a cut packet is not taken for a whole one.
  Bytes okPacket = stateOk(0x00, 0x0002, 100);
  t.begin(ReplyShape::OkOrError, false);
  CHECK(t.onPacket(static_cast<uint32_t>(okPacket.size()),
                   {okPacket.data(), ReplyTracker::kPrefixBytes}));
  CHECK(t.stateReport() == ReplyTracker::StateReport::Lost);
}

TEST_CASE("only packets that may be an OK are kept whole") {
  ReplyTracker t;
  t.begin(ReplyShape::ResultSets, false);
  CHECK(t.keepWhole(7, 0x00));
  CHECK_FALSE(t.keepWhole(1, 0x01));  // a column count
  CHECK_FALSE(t.onPacket(1, Bytes{0x01}));
  CHECK_FALSE(t.keepWhole(40, 0x03));  // a column definition
  CHECK_FALSE(t.onPacket(40, columnDef()));
  CHECK_FALSE(t.keepWhole(5, 0xFE));  // classic EOF: no state info
  CHECK_FALSE(t.onPacket(5, eof(2)));
  CHECK_FALSE(t.keepWhole(10, 0x00));  // a row (binary rows start with 0x00)
  CHECK_FALSE(t.keepWhole(5, 0xFE));
  ReplyTracker d;
  d.begin(ReplyShape::ResultSets, true);
  CHECK_FALSE(d.onPacket(1, Bytes{0x01}));
  CHECK_FALSE(d.onPacket(40, columnDef()));
  CHECK_FALSE(d.keepWhole(10, 0x00));
  CHECK(d.keepWhole(20, 0xFE));              // OK-as-EOF
  CHECK_FALSE(d.keepWhole(0xFFFFFF, 0xFE));  // a row of 16 MiB or more
}

TEST_CASE("the scanner keeps whole what the caller asks for, up to its limit") {
  std::vector<uint8_t> stream;
  auto add = [&](const Bytes& payload) {
    uint32_t n = static_cast<uint32_t>(payload.size());
    stream.insert(stream.end(), {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                                 static_cast<uint8_t>(n >> 16), 0});
    stream.insert(stream.end(), payload.begin(), payload.end());
  };
  const size_t limit = PacketScanner<4>::kWholeLimit;
  Bytes wanted(100, 0x11);
  Bytes unwanted(100, 0x22);
  Bytes atLimit(limit, 0x11);
  Bytes overLimit(limit + 1, 0x11);
  for (const Bytes* p : {&wanted, &unwanted, &atLimit, &overLimit}) add(*p);
  for (size_t slice : {size_t{1}, size_t{13}, stream.size()}) {
    PacketScanner<4> scanner;
    std::vector<size_t> sizes;
    std::vector<std::pair<uint32_t, uint8_t>> asked;
    for (size_t pos = 0; pos < stream.size(); pos += slice) {
      size_t n = std::min(slice, stream.size() - pos);
      scanner.scan(
          {stream.data() + pos, n},
          [&](uint32_t, uint8_t, std::span<const uint8_t> payload) {
            sizes.push_back(payload.size());
            CHECK(std::all_of(payload.begin(), payload.end(),
                              [&](uint8_t b) { return b == payload[0]; }));
            return false;
          },
          [&](uint32_t length, uint8_t first) {
            asked.emplace_back(length, first);
            return first == 0x11;
          });
    }
    CHECK(sizes == std::vector<size_t>{100, 4, limit, 4});
    // Asked once per packet within the limit, with its first byte.
    CHECK(asked == std::vector<std::pair<uint32_t, uint8_t>>{
                       {100, 0x11}, {100, 0x22}, {static_cast<uint32_t>(limit), 0x11}});
  }
}

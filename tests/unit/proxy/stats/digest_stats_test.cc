#include "proxy/stats/digest_stats.h"

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/allocation_counter.h"

// record() of a known key must not allocate: this executable counts allocations.
using rwproxy::test::allocationsDuring;

using namespace rwproxy::stats;

namespace {

DigestKeyView keyOf(int hostgroup, std::string_view schema, std::string_view user,
                    std::string_view client, uint64_t digest) {
  return DigestKeyView{.hostgroup = hostgroup,
                       .schemaname = schema,
                       .username = user,
                       .clientAddress = client,
                       .digest = digest};
}

const DigestKeyView kKey = keyOf(10, "shop", "app", "10.0.0.7", 0xABCDEF);

std::vector<DigestRow> rowsOf(const DigestStats& stats) {
  std::vector<DigestRow> rows;
  stats.appendTo(rows);
  DigestStats::mergeRows(rows);  // sorted by key
  return rows;
}

}  // namespace

TEST_CASE("record aggregates one key: count, sums, min, max, first and last seen") {
  DigestStats stats;
  stats.record(kKey, "SELECT * FROM t WHERE id=?", 1000, 30, 0, 1);
  stats.record(kKey, "ignored: the text is kept from the first record", 1005, 10, 2, 3);
  stats.record(kKey, "", 1003, 20, 1, 0);
  REQUIRE(stats.size() == 1);

  std::vector<DigestRow> rows;
  stats.appendTo(rows);
  REQUIRE(rows.size() == 1);
  const DigestRow& row = rows[0];
  CHECK(row.hostgroup == 10);
  CHECK(row.schemaname == "shop");
  CHECK(row.username == "app");
  CHECK(row.clientAddress == "10.0.0.7");
  CHECK(row.digest == 0xABCDEF);
  CHECK(row.digestText == "SELECT * FROM t WHERE id=?");
  CHECK(row.countStar == 3);
  CHECK(row.firstSeen == 1000);
  CHECK(row.lastSeen == 1005);
  CHECK(row.sumTime == 60);
  CHECK(row.minTime == 10);
  CHECK(row.maxTime == 30);
  CHECK(row.sumRowsAffected == 3);
  CHECK(row.sumRowsSent == 4);
  CHECK(row.histogram.total() == 3);
  CHECK(row.p50Us >= 10);
  CHECK(row.p50Us <= 30);
  CHECK(row.p99Us <= 30);
}

TEST_CASE("each key component makes its own row") {
  DigestStats stats;
  stats.record(kKey, "q", 1, 1, 0, 0);
  stats.record(keyOf(11, "shop", "app", "10.0.0.7", 0xABCDEF), "q", 1, 1, 0, 0);
  stats.record(keyOf(10, "shop2", "app", "10.0.0.7", 0xABCDEF), "q", 1, 1, 0, 0);
  stats.record(keyOf(10, "shop", "app2", "10.0.0.7", 0xABCDEF), "q", 1, 1, 0, 0);
  stats.record(keyOf(10, "shop", "app", "10.0.0.8", 0xABCDEF), "q", 1, 1, 0, 0);
  stats.record(keyOf(10, "shop", "app", "10.0.0.7", 0xABCDEE), "q2", 1, 1, 0, 0);
  // Swapped component values must not collide either.
  stats.record(keyOf(10, "app", "shop", "10.0.0.7", 0xABCDEF), "q", 1, 1, 0, 0);
  stats.record(kKey, "q", 2, 1, 0, 0);
  CHECK(stats.size() == 7);
  const auto rows = rowsOf(stats);
  REQUIRE(rows.size() == 7);
  uint64_t total = 0;
  for (const auto& row : rows) total += row.countStar;
  CHECK(total == 8);
}

TEST_CASE("a digest shared by several keys keeps one text") {
  DigestStats stats;
  const std::string text(4000, 'x');
  stats.record(keyOf(1, "s", "u1", "", 5), text, 1, 1, 0, 0);
  const size_t afterFirst = stats.memoryBytes();
  stats.record(keyOf(1, "s", "u2", "", 5), text, 1, 1, 0, 0);
  const size_t perKey = stats.memoryBytes() - afterFirst;
  CHECK(perKey < text.size());  // the second key did not copy the 4000-byte text
  const auto rows = rowsOf(stats);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].digestText == text);
  CHECK(rows[1].digestText == text);
}

TEST_CASE("maxEntries bounds the map: new keys go to one overflow row") {
  DigestStats stats(3);
  for (uint64_t d = 1; d <= 3; ++d) stats.record(keyOf(1, "s", "u", "c", d), "q", 100, 5, 0, 0);
  const size_t full = stats.memoryBytes();
  CHECK(stats.size() == 3);

  uint64_t allocations = allocationsDuring([&] {
    stats.record(keyOf(1, "s", "u", "c", 4), "q4", 101, 7, 1, 0);
    stats.record(keyOf(2, "schema", "user", "client", 5), "q5", 102, 9, 0, 1);
  });
  CHECK(allocations == 0);
  CHECK(stats.size() == 3);
  CHECK(stats.overflowCount() == 2);
  CHECK(stats.memoryBytes() == full);

  // Known keys keep counting.
  stats.record(keyOf(1, "s", "u", "c", 2), "q", 103, 5, 0, 0);
  const auto rows = rowsOf(stats);
  REQUIRE(rows.size() == 4);
  const DigestRow& overflow = rows[0];  // hostgroup -1 sorts first
  CHECK(overflow.hostgroup == kOverflowHostgroup);
  CHECK(overflow.schemaname.empty());
  CHECK(overflow.username.empty());
  CHECK(overflow.clientAddress.empty());
  CHECK(overflow.digest == 0);
  CHECK(overflow.digestText == kOverflowDigestText);
  CHECK(overflow.countStar == 2);
  CHECK(overflow.firstSeen == 101);
  CHECK(overflow.lastSeen == 102);
  CHECK(overflow.minTime == 7);
  CHECK(overflow.maxTime == 9);
  CHECK(overflow.sumRowsAffected == 1);
  CHECK(overflow.sumRowsSent == 1);
  CHECK(rows[2].digest == 2);
  CHECK(rows[2].countStar == 2);
}

TEST_CASE("lowering maxEntries keeps the existing keys and admits no new one") {
  DigestStats stats;
  for (uint64_t d = 1; d <= 5; ++d) stats.record(keyOf(1, "s", "u", "", d), "q", 1, 1, 0, 0);
  stats.setMaxEntries(2);
  CHECK(stats.maxEntries() == 2);
  stats.record(keyOf(1, "s", "u", "", 4), "q", 1, 1, 0, 0);
  stats.record(keyOf(1, "s", "u", "", 6), "q", 1, 1, 0, 0);
  CHECK(stats.size() == 5);
  CHECK(stats.overflowCount() == 1);
  const auto rows = rowsOf(stats);
  REQUIRE(rows.size() == 6);
  CHECK(rows[4].digest == 4);
  CHECK(rows[4].countStar == 2);

  stats.setMaxEntries(6);
  stats.record(keyOf(1, "s", "u", "", 7), "q", 1, 1, 0, 0);
  CHECK(stats.size() == 6);
  CHECK(stats.overflowCount() == 1);
}

TEST_CASE("reset forgets everything and releases the memory") {
  DigestStats stats(2);
  const size_t empty = stats.memoryBytes();
  const std::string longName(100, 'n');
  for (uint64_t d = 1; d <= 3; ++d) stats.record(keyOf(1, longName, "u", "", d), "q", 1, 1, 0, 0);
  CHECK(stats.memoryBytes() > empty + 2 * longName.size());
  CHECK(stats.overflowCount() == 1);

  stats.reset();
  CHECK(stats.size() == 0);
  CHECK(stats.overflowCount() == 0);
  CHECK(stats.memoryBytes() == empty);
  CHECK(rowsOf(stats).empty());

  stats.record(keyOf(1, "s", "u", "", 9), "again", 1, 1, 0, 0);
  const auto rows = rowsOf(stats);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].digestText == "again");
}

TEST_CASE("drainTo hands over the rows and resets") {
  DigestStats stats(1);
  stats.record(keyOf(1, "s", "u", "c", 1), "one", 1, 1, 0, 0);
  stats.record(keyOf(1, "s", "u", "c", 2), "two", 1, 1, 0, 0);
  std::vector<DigestRow> rows;
  stats.drainTo(rows);
  DigestStats::mergeRows(rows);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].hostgroup == kOverflowHostgroup);
  CHECK(rows[1].schemaname == "s");
  CHECK(rows[1].clientAddress == "c");
  CHECK(rows[1].digestText == "one");
  CHECK(stats.size() == 0);
  CHECK(stats.overflowCount() == 0);
}

TEST_CASE("mergeRows combines the same key across workers") {
  DigestStats a;
  DigestStats b;
  const DigestKeyView other = keyOf(20, "shop", "app", "", 0x1);
  for (uint64_t us = 1; us <= 500; ++us) a.record(kKey, "q", 2000 + us, us, 1, 2);
  for (uint64_t us = 501; us <= 1000; ++us) b.record(kKey, "q", 1000 + us, us, 3, 4);
  a.record(other, "other", 50, 7, 0, 0);
  DigestStats fullA(0);
  DigestStats fullB(0);
  fullA.record(kKey, "q", 10, 1, 0, 0);
  fullB.record(other, "q", 20, 2, 0, 0);

  std::vector<DigestRow> rows;
  a.appendTo(rows);
  b.appendTo(rows);
  fullA.appendTo(rows);
  fullB.appendTo(rows);
  DigestStats::mergeRows(rows);
  REQUIRE(rows.size() == 3);

  const DigestRow& overflow = rows[0];
  CHECK(overflow.hostgroup == kOverflowHostgroup);
  CHECK(overflow.countStar == 2);
  CHECK(overflow.firstSeen == 10);
  CHECK(overflow.lastSeen == 20);

  const DigestRow& merged = rows[1];
  CHECK(merged.hostgroup == 10);
  CHECK(merged.countStar == 1000);
  CHECK(merged.sumTime == 500500);
  CHECK(merged.minTime == 1);
  CHECK(merged.maxTime == 1000);
  CHECK(merged.firstSeen == 1501);
  CHECK(merged.lastSeen == 2500);
  CHECK(merged.sumRowsAffected == 500 * 1 + 500 * 3);
  CHECK(merged.sumRowsSent == 500 * 2 + 500 * 4);
  CHECK(merged.histogram.total() == 1000);
  CHECK(merged.p50Us >= 495);
  CHECK(merged.p50Us <= 505);
  CHECK(merged.p99Us >= 980);

  CHECK(rows[2].hostgroup == 20);
  CHECK(rows[2].countStar == 1);
  CHECK(rows[2].digestText == "other");
}

TEST_CASE("record of a known key does not allocate") {
  DigestStats stats;
  const std::string schema(40, 's');  // longer than the small-string buffer
  const std::string user(40, 'u');
  const std::string client(40, 'c');
  const std::string text(300, 'q');
  const DigestKeyView key = keyOf(3, schema, user, client, 77);
  for (uint64_t d = 0; d < 1000; ++d)
    stats.record(keyOf(3, schema, user, client, d), text, 1, 1, 0, 0);

  // The counter works: a new key allocates.
  CHECK(allocationsDuring([&] { stats.record(keyOf(4, "s", "u", "c", 1), text, 1, 1, 0, 0); }) > 0);
  CHECK(allocationsDuring([&] {
          for (uint64_t i = 0; i < 10000; ++i) stats.record(key, text, i, i % 5000, 1, 1);
        }) == 0);
  CHECK(stats.size() == 1001);
}

TEST_CASE("memoryBytes grows with keys and texts") {
  DigestStats stats;
  const size_t before = stats.memoryBytes();
  stats.record(kKey, std::string(1000, 'x'), 1, 1, 0, 0);
  CHECK(stats.memoryBytes() >= before + 1000 + sizeof(LatencyHistogram));
}

#include "proxy/cache/query_cache.h"

#include <malloc.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <new>
#include <string>

#include "tests/support/allocation_counter.h"
#include "tests/unit/proxy/cache/replies.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

using namespace rwproxy::cache;
using namespace rwproxy::cache::test;
using rwproxy::protocol::asBytes;
using rwproxy::protocol::test::fromHex;

using rwproxy::test::allocationsDuring;

namespace {

constexpr uint16_t kAutocommit = p::kServerStatusAutocommit;
constexpr size_t kMiB = 1024 * 1024;

CacheKey key(std::string_view query, std::string_view user = "app",
             std::string_view schema = "rwtest", uint8_t charset = 45) {
  return CacheKey{user, schema, query, charset, 0};
}

std::string reply(std::vector<std::string> values, bool deprecateEof = false) {
  ResultSpec spec;
  for (auto& v : values) {
    spec.rows.push_back({std::move(v)});
  }
  return resultSet(spec, deprecateEof);
}

Refusal put(QueryCache& cache, const CacheKey& k, const std::string& bytes, uint64_t nowMs,
            uint64_t ttlMs = 1000, bool storeEmpty = true, bool deprecateEof = false) {
  ReplyCapture capture;
  capture.start(k, cache.maxReplyBytes(), ttlMs, storeEmpty);
  capture.append(asBytes(bytes));
  Refusal r = cache.store(capture, deprecateEof, nowMs);
  CHECK_FALSE(capture.active());  // consumed either way
  return r;
}

// The reply served for `k` to a client without DEPRECATE_EOF, or "" on a miss.
std::string get(QueryCache& cache, const CacheKey& k, uint64_t nowMs, bool deprecateEof = false) {
  std::string out;
  auto rows = cache.serve(k, nowMs, deprecateEof, kAutocommit, out);
  if (!rows) {
    CHECK(out.empty());
    return "";
  }
  return out;
}

}  // namespace

TEST_CASE("a stored result is served for the identical key only") {
  QueryCache cache(kMiB);
  std::string one = reply({"one"});
  REQUIRE(put(cache, key("SELECT v FROM t WHERE id=1"), one, 0) == Refusal::None);
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1"), 1) == one);
  CHECK(get(cache, key("SELECT v FROM t WHERE id=2"), 1).empty());
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1 "), 1).empty());  // identical text only
  CHECK(get(cache, key("select v from t where id=1"), 1).empty());
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1", "other"), 1).empty());
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1", "app", "rwtest2"), 1).empty());
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1", "app", "rwtest", 8), 1).empty());
  // The parts of the key do not run into each other: user "ap" + schema "prwtest" differs.
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1", "ap", "prwtest"), 1).empty());

  std::string rows;
  auto n = cache.serve(key("SELECT v FROM t WHERE id=1"), 1, false, kAutocommit, rows);
  REQUIRE(n);
  CHECK(*n == 1);
  // A client with DEPRECATE_EOF gets the other flavour of the same result.
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1"), 1, true) == reply({"one"}, true));

  // The same key stored again replaces the entry.
  REQUIRE(put(cache, key("SELECT v FROM t WHERE id=1"), reply({"two"}), 5) == Refusal::None);
  CHECK(cache.size() == 1);
  CHECK(cache.stats().purged == 0);  // replaced, not purged
  CHECK(get(cache, key("SELECT v FROM t WHERE id=1"), 6) == reply({"two"}));
}

TEST_CASE("entries expire after their TTL") {
  QueryCache cache(kMiB);
  REQUIRE(put(cache, key("q1"), reply({"a"}), 1000, 2000) == Refusal::None);
  REQUIRE(put(cache, key("q2"), reply({"b"}), 1000, 5000) == Refusal::None);
  CHECK_FALSE(get(cache, key("q1"), 2999).empty());
  CHECK(get(cache, key("q1"), 3000).empty());  // TTL over: a miss, and the entry is dropped
  CHECK(cache.size() == 1);
  CHECK(cache.stats().purged == 1);
  CHECK_FALSE(get(cache, key("q2"), 5999).empty());
  cache.purgeExpired(5999);
  CHECK(cache.size() == 1);
  cache.purgeExpired(6000);
  CHECK(cache.size() == 0);
  CHECK(cache.memoryBytes() < cache.capacity() / 100);  // only the bucket array is left
}

TEST_CASE("the least recently used entry goes first; expired ones before it") {
  QueryCache cache(64 * 1024);
  std::string r = reply(std::vector<std::string>(12, std::string(240, 'x')));  // about 3 KiB
  REQUIRE(r.size() <= cache.maxReplyBytes());
  auto name = [](int i) { return "q" + std::to_string(i); };
  // q0 is used after every insertion, so it stays the most recently used.
  for (int i = 0; i < 30; ++i) {
    REQUIRE(put(cache, key(name(i)), r, static_cast<uint64_t>(i)) == Refusal::None);
    REQUIRE_FALSE(get(cache, key(name(0)), static_cast<uint64_t>(i)).empty());
  }
  size_t kept = cache.size();
  REQUIRE(kept < 30);  // some were evicted
  REQUIRE(kept > 3);
  // Kept: q0 and the newest kept - 1 others, i.e. q(31 - kept) .. q29.
  int oldestKept = 31 - static_cast<int>(kept);
  for (int i = 1; i < 30; ++i) {
    INFO(name(i));
    CHECK(get(cache, key(name(i)), 30).empty() == (i < oldestKept));
  }
  CHECK(cache.size() == kept);

  // A short-lived entry, used last: once it has expired, it makes room before the least
  // recently used one does.
  REQUIRE(put(cache, key("short"), r, 40, 60) == Refusal::None);  // evicts the LRU, q0
  REQUIRE_FALSE(get(cache, key("short"), 41).empty());
  REQUIRE(put(cache, key("new"), r, 200) == Refusal::None);
  CHECK(get(cache, key("short"), 201).empty());
  CHECK_FALSE(get(cache, key(name(oldestKept)), 201).empty());
  CHECK(cache.size() == kept);
}

TEST_CASE("memory never exceeds the bound under a flood of distinct keys") {
  QueryCache cache(256 * 1024);
  size_t maxSeen = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string q = "SELECT v FROM t WHERE id=" + std::to_string(i);
    std::string value(static_cast<size_t>(i % 200), 'v');
    REQUIRE(put(cache, key(q), reply({value, value}), static_cast<uint64_t>(i), 1000000) ==
            Refusal::None);
    maxSeen = std::max(maxSeen, cache.memoryBytes());
    REQUIRE(cache.memoryBytes() <= cache.capacity());
  }
  CacheStats s = cache.stats();
  CHECK(s.sets == 20000);
  CHECK(s.entries > 100);
  CHECK(s.entries + s.purged == 20000);
  CHECK(maxSeen > cache.capacity() * 9 / 10);  // it does fill up
  // The most recent keys are the ones kept.
  CHECK_FALSE(get(cache, key("SELECT v FROM t WHERE id=19999"), 20000).empty());
  CHECK(get(cache, key("SELECT v FROM t WHERE id=0"), 20000).empty());
  cache.setCapacity(64 * 1024);  // a smaller bound applies at once
  CHECK(cache.memoryBytes() <= 64 * 1024);
  CHECK(cache.size() > 0);
}

#if defined(__SANITIZE_ADDRESS__)
#define RWPROXY_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RWPROXY_SANITIZER_ALLOCATOR 1
#endif
#endif

TEST_CASE("memoryBytes does not undercount what the heap holds for the entries") {
#ifdef RWPROXY_SANITIZER_ALLOCATOR
  WARN("AddressSanitizer's allocator keeps no glibc heap statistics: not checked");
  return;
#endif
  std::vector<std::string> queries;
  std::vector<std::string> replies;
  for (int i = 0; i < 5000; ++i) {
    queries.push_back("SELECT c FROM sbtest1 WHERE id=" + std::to_string(i));
    replies.push_back(reply({std::string(static_cast<size_t>(i % 120), 'c')}));
  }
  size_t stored = 0;
  // Nothing but the cache allocates between the two readings (no assertions in the loop).
  struct mallinfo2 before = mallinfo2();
  QueryCache cache(64 * kMiB);
  for (size_t i = 0; i < queries.size(); ++i) {
    ReplyCapture capture;
    capture.start(key(queries[i]), cache.maxReplyBytes(), 1000000, true);
    capture.append(asBytes(replies[i]));
    stored += cache.store(capture, false, 0) == Refusal::None;
  }
  struct mallinfo2 after = mallinfo2();
  REQUIRE(stored == queries.size());
  REQUIRE(after.uordblks + after.hblkhd > before.uordblks + before.hblkhd);
  size_t used = (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
  INFO("heap " << used << " bytes, counted " << cache.memoryBytes());
  CHECK(used <= cache.memoryBytes());
  CHECK(cache.memoryBytes() <= used + used / 4);  // and not wildly over
}

TEST_CASE("a result larger than the per-entry limit is refused and not buffered") {
  QueryCache cache(160 * 1024);
  REQUIRE(cache.maxReplyBytes() == 10 * 1024);
  CHECK(QueryCache(1024 * kMiB).maxReplyBytes() == QueryCache::kMaxReplyBytes);
  std::vector<std::string> values(60, std::string(200, 'z'));  // about 12 KiB
  std::string big = reply(values);
  ReplyCapture capture;
  capture.start(key("big"), cache.maxReplyBytes(), 1000, true);
  CHECK(capture.active());
  size_t half = big.size() / 2;
  capture.append(asBytes(big).first(half));
  CHECK(capture.active());
  CHECK(capture.reply().size() == half);
  capture.append(asBytes(big).subspan(half));
  CHECK_FALSE(capture.active());
  CHECK(capture.gaveUp());
  CHECK(capture.reply().empty());
  capture.append(asBytes(big));  // ignored once given up
  CHECK(capture.reply().empty());
  CHECK(cache.store(capture, false, 0) == Refusal::TooLarge);
  CHECK(cache.size() == 0);
  CHECK(cache.stats().sets == 0);
  // Just under the limit is fine.
  values.resize(45);
  REQUIRE(reply(values).size() <= cache.maxReplyBytes());
  CHECK(put(cache, key("fits"), reply(values), 0) == Refusal::None);
}

TEST_CASE("empty results are stored only when the policy says so") {
  QueryCache cache(kMiB);
  std::string empty = reply({});
  CHECK(put(cache, key("none"), empty, 0, 1000, false) == Refusal::Empty);
  CHECK(get(cache, key("none"), 1).empty());
  CHECK(put(cache, key("none"), empty, 0, 1000, true) == Refusal::None);
  std::string out;
  auto rows = cache.serve(key("none"), 1, false, kAutocommit, out);
  REQUIRE(rows);
  CHECK(*rows == 0);
  CHECK(out == empty);
  // A non-empty result is stored under either policy.
  CHECK(put(cache, key("some"), reply({"x"}), 0, 1000, false) == Refusal::None);
}

TEST_CASE("errors, OK replies and a zero capacity are not stored") {
  QueryCache cache(kMiB);
  CHECK(put(cache, key("err"), fromHex(rwproxy::protocol::test::kNoSuchTable), 0) ==
        Refusal::Failed);
  CHECK(put(cache, key("ok"), fromHex(rwproxy::protocol::test::kSetAutocommitOk), 0) ==
        Refusal::NotResultSet);
  CHECK(cache.size() == 0);
  QueryCache off(0);
  CHECK(off.maxReplyBytes() == 0);
  CHECK(put(off, key("q"), reply({"x"}), 0) == Refusal::Disabled);
  CHECK(off.memoryBytes() == 0);
}

TEST_CASE("counters follow gets, hits, stores and flushes") {
  QueryCache cache(kMiB);
  std::string r = reply({"abc"});
  get(cache, key("q"), 0);
  REQUIRE(put(cache, key("q"), r, 0) == Refusal::None);
  get(cache, key("q"), 1);
  get(cache, key("q"), 2, true);
  CacheStats s = cache.stats();
  CHECK(s.gets == 3);
  CHECK(s.getsOk == 2);
  CHECK(s.sets == 1);
  CHECK(s.bytesIn == r.size());
  CHECK(s.bytesOut == r.size() + reply({"abc"}, true).size());
  CHECK(s.entries == 1);
  CHECK(s.memoryBytes == cache.memoryBytes());
  CHECK(s.memoryBytes > r.size() + QueryCache::kEntryOverhead);

  CacheStats sum = s;
  sum += s;
  CHECK(sum.getsOk == 4);
  std::vector<std::pair<std::string, std::string>> rows;
  sum.appendTo(rows);
  REQUIRE(rows.size() == 8);
  CHECK(rows[2] == std::pair<std::string, std::string>{"Query_Cache_count_GET_OK", "4"});

  cache.flush();
  s = cache.stats();
  CHECK(s.entries == 0);
  CHECK(s.memoryBytes == 0);
  CHECK(s.purged == 1);
  CHECK(get(cache, key("q"), 3).empty());
}

TEST_CASE("a hit allocates nothing once the output buffer has grown") {
  QueryCache cache(kMiB);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(put(cache, key("q" + std::to_string(i)), reply({"row", "row"}), 0) == Refusal::None);
  }
  std::string query = "q42";
  std::string out;
  out.reserve(4096);
  size_t hits = 0;
  uint64_t allocations = allocationsDuring([&] {
    for (int i = 0; i < 1000; ++i) {
      out.clear();
      hits += cache.serve(key(query), 1, i % 2 == 0, kAutocommit, out).has_value();
    }
  });
  CHECK(hits == 1000);
  CHECK(allocations == 0);
}

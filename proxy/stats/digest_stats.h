// One worker thread's query digest statistics: the rows of stats_mysql_query_digest that this
// thread has seen, keyed by (hostgroup, schemaname, username, client_address, digest).
//
// Thread-safety: none; the object is confined to its owning worker thread. The admin thread asks
// each worker (through the worker's task queue) to appendTo() a vector, or to drainTo() one for
// the *_reset tables, then merges the workers' rows with mergeRows().
//
// Allocation: record() of a key already present does not allocate (heterogeneous lookup with
// DigestKeyView). A new key allocates its map node and, when its digest has not been seen by
// this thread before, one copy of the digest text: texts are interned per digest, so a digest
// run by many users or clients keeps its text once.
//
// Bound: at most maxEntries() keys (mysql-query_digests_max_entries). When the map is full, a
// new key is counted in one overflow row instead: hostgroup kOverflowHostgroup (-1), empty
// schemaname, username and client_address, digest 0 and digest_text kOverflowDigestText. The
// overflow row is a member, so counting into it never allocates and memory stops growing.
// Lowering the bound below the current size keeps the existing keys (they keep counting) and
// admits no new one until reset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/stats/latency_histogram.h"

namespace rwproxy::stats {

// mysql-query_digests_max_entries default.
inline constexpr size_t kDefaultDigestMaxEntries = 100000;
inline constexpr int kOverflowHostgroup = -1;
inline constexpr std::string_view kOverflowDigestText = "(overflow: digest map full)";

// A key as the worker has it: views into the session's strings, valid for the call only.
// clientAddress is the client's host (mysql-query_digests_track_hostname) or empty.
struct DigestKeyView {
  int hostgroup = 0;
  std::string_view schemaname;
  std::string_view username;
  std::string_view clientAddress;
  uint64_t digest = 0;
};

// One row of stats_mysql_query_digest, plus the latency histogram it was built from and the
// percentiles estimated from it (see latency_histogram.h for the error bound).
struct DigestRow {
  int hostgroup = 0;
  std::string schemaname;
  std::string username;
  std::string clientAddress;
  uint64_t digest = 0;  // shown as sql::formatDigestHash(digest)
  std::string digestText;
  uint64_t countStar = 0;
  uint64_t firstSeen = 0;  // unix seconds
  uint64_t lastSeen = 0;   // unix seconds
  uint64_t sumTime = 0;    // microseconds
  uint64_t minTime = 0;    // microseconds
  uint64_t maxTime = 0;    // microseconds
  uint64_t sumRowsAffected = 0;
  uint64_t sumRowsSent = 0;
  LatencyHistogram histogram;
  uint64_t p50Us = 0;
  uint64_t p95Us = 0;
  uint64_t p99Us = 0;
};

class DigestStats {
 public:
  explicit DigestStats(size_t maxEntries = kDefaultDigestMaxEntries);
  DigestStats(const DigestStats&) = delete;
  DigestStats& operator=(const DigestStats&) = delete;

  // Counts one finished query. `digestText` is stored only when the key is new. Durations are
  // microseconds, nowUnixSec is the wall clock in seconds.
  void record(const DigestKeyView& key, std::string_view digestText, uint64_t nowUnixSec,
              uint64_t durationUs, uint64_t rowsAffected, uint64_t rowsSent);

  // mysql-query_digests_max_entries, applied at once (see the header comment).
  // Keeps the text of `digest` so that a record() made later (when the query's reply ends and
  // its text is gone) may pass an empty digestText. Admits nothing while the map is full.
  void noteText(uint64_t digest, std::string_view digestText);

  // The text kept for `digest` (by noteText or record), or "" when none is kept.
  std::string_view textOf(uint64_t digest) const noexcept {
    auto it = texts_.find(digest);
    return it == texts_.end() ? std::string_view() : std::string_view(it->second);
  }

  void setMaxEntries(size_t maxEntries) noexcept { maxEntries_ = maxEntries; }
  size_t maxEntries() const noexcept { return maxEntries_; }
  // Distinct keys held, not counting the overflow row.
  size_t size() const noexcept { return entries_.size(); }
  // Queries counted in the overflow row since the last reset().
  uint64_t overflowCount() const noexcept { return overflow_.countStar; }

  // Estimated bytes held: map nodes, bucket arrays, interned texts and key strings on the heap.
  // For stats_mysql_global's Query_digest_memory.
  size_t memoryBytes() const noexcept;

  // Appends one row per key (and the overflow row when it has counted anything), with
  // percentiles filled in. Order is unspecified.
  void appendTo(std::vector<DigestRow>& out) const;
  // appendTo() then reset(), moving the strings out instead of copying them.
  void drainTo(std::vector<DigestRow>& out);
  // Forgets every key and releases the memory (stats_mysql_query_digest_reset).
  void reset();

  // Combines rows with equal keys (the same key seen by several workers): counts and sums add
  // up, min of mins, max of maxes, earliest first_seen, latest last_seen, histograms merge, and
  // percentiles are recomputed. The result is sorted by key.
  static void mergeRows(std::vector<DigestRow>& rows);

 private:
  struct Key {
    uint64_t hash = 0;  // hashKey() of the whole key, kept so rehashing is cheap
    int hostgroup = 0;
    std::string schemaname;
    std::string username;
    std::string clientAddress;
    uint64_t digest = 0;
  };
  struct Entry {
    std::string_view digestText;  // into texts_, or kOverflowDigestText
    uint64_t countStar = 0;
    uint64_t firstSeen = 0;
    uint64_t lastSeen = 0;
    uint64_t sumTime = 0;
    uint64_t minTime = 0;
    uint64_t maxTime = 0;
    uint64_t sumRowsAffected = 0;
    uint64_t sumRowsSent = 0;
    LatencyHistogram histogram;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const Key& key) const noexcept { return key.hash; }
    size_t operator()(const DigestKeyView& key) const noexcept;
  };
  struct KeyEqual {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const noexcept;
    bool operator()(const Key& a, const DigestKeyView& b) const noexcept;
    bool operator()(const DigestKeyView& a, const Key& b) const noexcept { return (*this)(b, a); }
  };
  using EntryMap = std::unordered_map<Key, Entry, KeyHash, KeyEqual>;

  static void count(Entry& entry, uint64_t nowUnixSec, uint64_t durationUs, uint64_t rowsAffected,
                    uint64_t rowsSent) noexcept;
  Entry& insert(const DigestKeyView& key, std::string_view digestText);
  static DigestRow makeRow(const Key& key, const Entry& entry);
  void appendOverflow(std::vector<DigestRow>& out) const;

  size_t maxEntries_;
  EntryMap entries_;
  std::unordered_map<uint64_t, std::string> texts_;  // digest -> digest text, interned
  Entry overflow_;
  size_t heapBytes_ = 0;  // nodes and heap strings of entries_ and texts_, kept on insert
};

}  // namespace rwproxy::stats

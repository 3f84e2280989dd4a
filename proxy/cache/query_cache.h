// The query result cache: result sets of queries whose rule sets cache_ttl, kept for that many
// milliseconds and replayed without a backend (proxy/cache/README.md).
//
// One QueryCache per worker thread, owned by the Worker and reached by its sessions through
// SessionContext. Thread-safety: none; every call happens on the owning worker's thread (the
// admin thread's flush and stats reads are posted there). No locks on any path.
//
// Allocation: serve() does not allocate once its output buffer has grown (the key is looked up
// by string_views and a precomputed hash). store() allocates the map and list nodes of a new
// entry; the reply's bytes are the capture's buffer, moved in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/cache/cached_reply.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::cache {

// What identifies a cached result: who asks, in which schema and character set, and the exact
// query text sent to the server (after any rewrite). Views, valid for the call only.
struct CacheKey {
  std::string_view user;
  std::string_view schema;
  std::string_view query;
  uint8_t charset = 0;  // the client's collation id: it decides the bytes the server sends
  // A fingerprint of the client's replayed session variables (SET NAMES, sql_mode, time_zone,
  // user variables...): they change results too. 0 when none are set.
  uint64_t sessionState = 0;
};

// A key kept in a buffer that starts with its user, schema and query, one after the other.
struct StoredKey {
  uint32_t userSize = 0;
  uint32_t schemaSize = 0;
  uint32_t querySize = 0;
  uint8_t charset = 0;
  uint64_t sessionState = 0;

  // Appends the key's parts to `buffer` and describes them; false when they are too long.
  bool append(const CacheKey& key, std::string& buffer);
  size_t size() const { return size_t{userSize} + schemaSize + querySize; }
  // The key, as views into `buffer`.
  CacheKey in(std::string_view buffer) const;
};

// Counters for stats_mysql_global (ProxySQL's Query_Cache_* names), summed over workers.
struct CacheStats {
  uint64_t memoryBytes = 0;  // Query_Cache_Memory_bytes
  uint64_t entries = 0;      // Query_Cache_Entries
  uint64_t gets = 0;         // Query_Cache_count_GET: lookups
  uint64_t getsOk = 0;       // Query_Cache_count_GET_OK: lookups answered
  uint64_t sets = 0;         // Query_Cache_count_SET: results stored
  uint64_t bytesIn = 0;      // Query_Cache_bytes_IN: reply bytes stored
  uint64_t bytesOut = 0;     // Query_Cache_bytes_OUT: reply bytes served
  uint64_t purged = 0;       // Query_Cache_Purged: entries dropped (expired, evicted, flushed)

  CacheStats& operator+=(const CacheStats& other);
  // Appends the (Variable_Name, Variable_Value) rows of stats_mysql_global.
  void appendTo(std::vector<std::pair<std::string, std::string>>& rows) const;
};

// A reply on its way into the cache: the key's bytes, then the reply's as they stream past to
// the client. The buffer becomes the cache entry's storage, so a stored reply is copied once.
// Past its limit it gives up and frees what it held: a large result keeps streaming to the
// client in bounded memory, and is not cached.
class ReplyCapture {
 public:
  // Starts capturing for `key`; replies of more than maxReplyBytes are given up. The reply is to
  // be kept for ttlMs; an empty result only when storeEmpty.
  void start(const CacheKey& key, size_t maxReplyBytes, uint64_t ttlMs, bool storeEmpty);
  void append(protocol::Bytes bytes);
  // Stops and frees the buffer.
  void reset();

  // Capturing, and not given up.
  bool active() const { return active_; }
  // Started, then given up because the reply passed the limit (until reset() or start()).
  bool gaveUp() const { return gaveUp_; }
  CacheKey key() const;
  protocol::Bytes reply() const;

 private:
  friend class QueryCache;

  std::string buffer_;  // user, schema, query, then the reply
  StoredKey key_;
  bool active_ = false;
  bool gaveUp_ = false;
  bool storeEmpty_ = true;
  size_t limit_ = 0;  // bytes of buffer_ allowed
  uint64_t ttlMs_ = 0;
};

class QueryCache {
 public:
  // The most a single reply may take, whatever the capacity.
  static constexpr size_t kMaxReplyBytes = 4 * 1024 * 1024;
  // Estimated bytes an entry costs beyond its key and reply: the list and map nodes and the
  // allocator's overhead on each of its three allocations.
  static const size_t kEntryOverhead;

  explicit QueryCache(size_t capacityBytes = 0);
  QueryCache(const QueryCache&) = delete;
  QueryCache& operator=(const QueryCache&) = delete;

  // The bound on memoryBytes(); a lower one evicts least recently used entries at once.
  void setCapacity(size_t bytes);
  size_t capacity() const { return capacity_; }
  // Replies larger than this are not cached: min(capacity / 16, kMaxReplyBytes).
  size_t maxReplyBytes() const;

  // Answers `key` from the cache: appends its reply, rendered for a client that negotiated
  // `deprecateEof` and whose session status bits are `sessionStatus` (see renderReply), to
  // `out` and returns the result's row count. nullopt when absent or expired (an expired entry
  // is dropped). Counts GET, GET_OK and bytes_OUT.
  std::optional<uint64_t> serve(const CacheKey& key, uint64_t nowMs, bool deprecateEof,
                                uint16_t sessionStatus, std::string& out);

  // Stores the captured reply (sent by the server in the `deprecateEof` flavour) for the
  // capture's TTL, replacing an entry of the same key. Evicts expired, then least recently used
  // entries to make room. The capture is reset either way. Returns Refusal::None when stored,
  // else why not.
  Refusal store(ReplyCapture& capture, bool deprecateEof, uint64_t nowMs);

  // Drops the entries whose TTL has passed.
  void purgeExpired(uint64_t nowMs);
  // Drops everything and releases the memory (PROXYSQL FLUSH QUERY CACHE).
  void flush();

  size_t size() const { return lru_.size(); }
  // Estimated heap bytes held: entries (key, reply, nodes, allocator overhead) and the hash
  // table's bucket array. Never above capacity() after a call returns.
  size_t memoryBytes() const;
  CacheStats stats() const;

 private:
  struct KeyRef {
    CacheKey key;
    size_t hash = 0;
  };
  struct Entry {
    std::string blob;  // the key's bytes, then the reply's (a ReplyCapture's buffer)
    StoredKey key;
    size_t keyHash = 0;
    ReplyLayout layout;
    uint64_t expiresAtMs = 0;
    size_t charge = 0;  // what this entry adds to memoryBytes()

    KeyRef keyRef() const;
    protocol::Bytes reply() const;
  };
  using Lru = std::list<Entry>;  // most recently used first
  struct KeyHash {
    size_t operator()(const KeyRef& key) const noexcept { return key.hash; }
  };
  struct KeyEqual {
    bool operator()(const KeyRef& a, const KeyRef& b) const noexcept;
  };
  // Keys are views into their entry's blob: list nodes never move.
  using Index = std::unordered_map<KeyRef, Lru::iterator, KeyHash, KeyEqual>;

  static KeyRef refOf(const CacheKey& key);
  // Whether a capture may be stored, with its layout when it may.
  Refusal admit(const ReplyCapture& capture, bool deprecateEof, ReplyLayout& layout) const;
  size_t bucketBytes() const;
  // Drops an entry; `purged` counts it in Query_Cache_Purged.
  void erase(Lru::iterator it, bool purged = true);
  // Evicts until `incoming` more bytes fit: expired entries first (when any may have expired),
  // then from the least recently used end.
  void makeRoom(size_t incoming, uint64_t nowMs);
  // Evicts least recently used entries while over capacity.
  void shrinkToCapacity();

  size_t capacity_;
  size_t entryBytes_ = 0;                   // sum of the entries' charges
  uint64_t earliestExpiryMs_ = UINT64_MAX;  // no entry expires before this
  uint64_t nextSweepMs_ = 0;                // makeRoom sweeps expired entries at most this often
  Lru lru_;
  Index index_;
  CacheStats counters_;  // memoryBytes and entries are filled in by stats()
};

}  // namespace rwproxy::cache

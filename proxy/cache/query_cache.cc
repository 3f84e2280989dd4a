// An LRU list of entries (most recently used first) and a hash index over it whose keys are
// views into the entries' own bytes, so a lookup builds nothing: it hashes three string_views.
// Memory is counted per entry when it is stored (its bytes plus an honest estimate of the nodes
// and allocator overhead) and for the bucket array, and checked against the bound before and
// after every insertion.
#include "proxy/cache/query_cache.h"

#include <algorithm>
#include <functional>
#include <iterator>

#include "sql/digest.h"

namespace rwproxy::cache {

namespace p = rwproxy::protocol;

namespace {

// What malloc really hands out for a request of `bytes` (glibc: 8-byte header, 16-byte chunks).
constexpr size_t mallocBytes(size_t bytes) { return (bytes + 8 + 15) & ~size_t{15}; }

// How often, at most, making room sweeps the whole cache for expired entries.
constexpr uint64_t kSweepIntervalMs = 100;

size_t combine(size_t seed, size_t value) {
  return static_cast<size_t>(
      sql::mix64(seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2))));
}

}  // namespace

// A list node holds an Entry and two pointers; a map node holds its next pointer, the key, the
// list iterator and the cached hash. Each is one allocation, like the blob.
const size_t QueryCache::kEntryOverhead =
    mallocBytes(sizeof(Entry) + 2 * sizeof(void*)) +
    mallocBytes(sizeof(void*) + sizeof(Index::value_type) + sizeof(size_t));

// ---- CacheStats ----

CacheStats& CacheStats::operator+=(const CacheStats& o) {
  memoryBytes += o.memoryBytes;
  entries += o.entries;
  gets += o.gets;
  getsOk += o.getsOk;
  sets += o.sets;
  bytesIn += o.bytesIn;
  bytesOut += o.bytesOut;
  purged += o.purged;
  return *this;
}

void CacheStats::appendTo(std::vector<std::pair<std::string, std::string>>& rows) const {
  const std::pair<const char*, uint64_t> values[] = {
      {"Query_Cache_Memory_bytes", memoryBytes},
      {"Query_Cache_count_GET", gets},
      {"Query_Cache_count_GET_OK", getsOk},
      {"Query_Cache_count_SET", sets},
      {"Query_Cache_bytes_IN", bytesIn},
      {"Query_Cache_bytes_OUT", bytesOut},
      {"Query_Cache_Purged", purged},
      {"Query_Cache_Entries", entries},
  };
  for (const auto& [name, value] : values) {
    rows.emplace_back(name, std::to_string(value));
  }
}

// ---- StoredKey ----

bool StoredKey::append(const CacheKey& key, std::string& buffer) {
  if (key.user.size() > UINT32_MAX || key.schema.size() > UINT32_MAX ||
      key.query.size() > UINT32_MAX) {
    return false;
  }
  buffer.append(key.user).append(key.schema).append(key.query);
  userSize = static_cast<uint32_t>(key.user.size());
  schemaSize = static_cast<uint32_t>(key.schema.size());
  querySize = static_cast<uint32_t>(key.query.size());
  charset = key.charset;
  sessionState = key.sessionState;
  return true;
}

CacheKey StoredKey::in(std::string_view buffer) const {
  return CacheKey{buffer.substr(0, userSize), buffer.substr(userSize, schemaSize),
                  buffer.substr(size_t{userSize} + schemaSize, querySize), charset, sessionState};
}

// ---- ReplyCapture ----

void ReplyCapture::start(const CacheKey& key, size_t maxReplyBytes, uint64_t ttlMs,
                         bool storeEmpty) {
  size_t keySize = key.user.size() + key.schema.size() + key.query.size();
  buffer_.clear();
  gaveUp_ = false;
  active_ = maxReplyBytes > 0;
  if (!active_) {
    return;
  }
  buffer_.reserve(keySize + std::min<size_t>(maxReplyBytes, 1024));
  if (!key_.append(key, buffer_)) {
    reset();
    return;
  }
  limit_ = keySize + maxReplyBytes;
  ttlMs_ = ttlMs;
  storeEmpty_ = storeEmpty;
}

void ReplyCapture::append(p::Bytes bytes) {
  if (!active_) {
    return;
  }
  if (bytes.size() > limit_ - buffer_.size()) {
    reset();
    gaveUp_ = true;
    return;
  }
  buffer_.append(p::asStringView(bytes));
}

void ReplyCapture::reset() {
  std::string().swap(buffer_);
  active_ = false;
  gaveUp_ = false;
}

CacheKey ReplyCapture::key() const { return key_.in(buffer_); }

p::Bytes ReplyCapture::reply() const {
  return p::asBytes(std::string_view(buffer_).substr(active_ ? key_.size() : buffer_.size()));
}

// ---- QueryCache ----

QueryCache::KeyRef QueryCache::Entry::keyRef() const { return KeyRef{key.in(blob), keyHash}; }

p::Bytes QueryCache::Entry::reply() const {
  return p::asBytes(std::string_view(blob).substr(key.size()));
}

bool QueryCache::KeyEqual::operator()(const KeyRef& a, const KeyRef& b) const noexcept {
  return a.hash == b.hash && a.key.charset == b.key.charset &&
         a.key.sessionState == b.key.sessionState && a.key.query == b.key.query &&
         a.key.user == b.key.user && a.key.schema == b.key.schema;
}

QueryCache::KeyRef QueryCache::refOf(const CacheKey& key) {
  std::hash<std::string_view> h;
  size_t hash = combine(combine(h(key.query), h(key.user)),
                        combine(h(key.schema) ^ key.charset, key.sessionState));
  return KeyRef{key, hash};
}

QueryCache::QueryCache(size_t capacityBytes) : capacity_(capacityBytes) {}

size_t QueryCache::maxReplyBytes() const { return std::min(capacity_ / 16, kMaxReplyBytes); }

void QueryCache::setCapacity(size_t bytes) {
  capacity_ = bytes;
  shrinkToCapacity();
}

size_t QueryCache::bucketBytes() const {
  // An empty table's single bucket lives inside the map object itself.
  size_t buckets = index_.bucket_count();
  if (buckets <= 1) {
    return 0;
  }
  // glibc serves 128 KiB and more with mmap, in whole pages.
  size_t bytes = buckets * sizeof(void*);
  return bytes >= 128 * 1024 ? (bytes + 16 + 4095) & ~size_t{4095} : mallocBytes(bytes);
}

size_t QueryCache::memoryBytes() const { return entryBytes_ + bucketBytes(); }

CacheStats QueryCache::stats() const {
  CacheStats s = counters_;
  s.memoryBytes = memoryBytes();
  s.entries = lru_.size();
  return s;
}

void QueryCache::erase(Lru::iterator it, bool purged) {
  index_.erase(it->keyRef());
  entryBytes_ -= it->charge;
  lru_.erase(it);
  counters_.purged += purged ? 1 : 0;
}

std::optional<uint64_t> QueryCache::serve(const CacheKey& key, uint64_t nowMs, bool deprecateEof,
                                          uint16_t sessionStatus, std::string& out) {
  ++counters_.gets;
  auto found = index_.find(refOf(key));
  if (found == index_.end()) {
    return std::nullopt;
  }
  Lru::iterator it = found->second;
  if (nowMs >= it->expiresAtMs) {
    erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it);
  size_t before = out.size();
  renderReply(out, it->reply(), it->layout, deprecateEof, sessionStatus);
  ++counters_.getsOk;
  counters_.bytesOut += out.size() - before;
  return it->layout.rows;
}

Refusal QueryCache::admit(const ReplyCapture& capture, bool deprecateEof,
                          ReplyLayout& layout) const {
  if (capacity_ == 0 || capture.ttlMs_ == 0) {
    return Refusal::Disabled;
  }
  if (!capture.active()) {
    return capture.gaveUp() ? Refusal::TooLarge : Refusal::Disabled;
  }
  Refusal refusal = describeResultSet(capture.reply(), deprecateEof, layout);
  if (refusal == Refusal::None && layout.rows == 0 && !capture.storeEmpty_) {
    return Refusal::Empty;
  }
  return refusal;
}

Refusal QueryCache::store(ReplyCapture& capture, bool deprecateEof, uint64_t nowMs) {
  ReplyLayout layout;
  Refusal refusal = admit(capture, deprecateEof, layout);
  if (refusal != Refusal::None) {
    capture.reset();
    return refusal;
  }
  KeyRef ref = refOf(capture.key());
  if (auto old = index_.find(ref); old != index_.end()) {
    erase(old->second, false);  // replaced (two sessions filled the same key), not purged
  }
  Entry entry;
  entry.key = capture.key_;
  entry.keyHash = ref.hash;
  entry.layout = layout;
  entry.expiresAtMs = nowMs + capture.ttlMs_;
  entry.blob = std::move(capture.buffer_);
  capture.reset();
  entry.blob.shrink_to_fit();
  entry.charge = kEntryOverhead + mallocBytes(entry.blob.capacity() + 1);
  if (entry.charge > capacity_ - std::min(capacity_, bucketBytes())) {
    return Refusal::TooLarge;
  }
  makeRoom(entry.charge, nowMs);
  lru_.push_front(std::move(entry));
  const Entry& stored = lru_.front();
  index_.emplace(stored.keyRef(), lru_.begin());
  entryBytes_ += stored.charge;
  earliestExpiryMs_ = std::min(earliestExpiryMs_, stored.expiresAtMs);
  ++counters_.sets;
  counters_.bytesIn += layout.size;
  // The insertion may have grown the bucket array.
  shrinkToCapacity();
  return Refusal::None;
}

void QueryCache::makeRoom(size_t incoming, uint64_t nowMs) {
  if (memoryBytes() + incoming > capacity_ && nowMs >= earliestExpiryMs_ && nowMs >= nextSweepMs_) {
    purgeExpired(nowMs);
    nextSweepMs_ = nowMs + kSweepIntervalMs;
  }
  while (!lru_.empty() && memoryBytes() + incoming > capacity_) {
    erase(std::prev(lru_.end()));
  }
}

void QueryCache::shrinkToCapacity() {
  while (!lru_.empty() && memoryBytes() > capacity_) {
    erase(std::prev(lru_.end()));
  }
  if (lru_.empty() && memoryBytes() > capacity_) {
    index_.rehash(0);  // fewest buckets for no entries
  }
}

void QueryCache::purgeExpired(uint64_t nowMs) {
  if (nowMs < earliestExpiryMs_) {
    return;
  }
  uint64_t earliest = UINT64_MAX;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (nowMs >= it->expiresAtMs) {
      erase(it);
    } else {
      earliest = std::min(earliest, it->expiresAtMs);
    }
    it = next;
  }
  earliestExpiryMs_ = earliest;
}

void QueryCache::flush() {
  counters_.purged += lru_.size();
  Index().swap(index_);
  lru_.clear();
  entryBytes_ = 0;
  earliestExpiryMs_ = UINT64_MAX;
}

}  // namespace rwproxy::cache

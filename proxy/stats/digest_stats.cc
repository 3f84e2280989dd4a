// Per-worker digest statistics. The map is a std::unordered_map with a transparent hash and
// equality so that record() looks a key up by string_views without building a Key; the full-key
// hash is stored in the Key so that rehashing does not rehash three strings per entry.
#include "proxy/stats/digest_stats.h"

#include <algorithm>
#include <functional>
#include <tuple>
#include <utility>

#include "sql/digest.h"

namespace rwproxy::stats {
namespace {

constexpr uint64_t fmix64(uint64_t k) noexcept { return sql::mix64(k); }

constexpr uint64_t combine(uint64_t seed, uint64_t value) noexcept {
  return fmix64(seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

// What malloc really hands out for a request of `bytes` (glibc: 8-byte header, 16-byte chunks).
constexpr size_t mallocBytes(size_t bytes) noexcept { return (bytes + 8 + 15) & ~size_t{15}; }

size_t heapBytes(const std::string& s) noexcept {
  static const size_t kInlineCapacity = std::string().capacity();
  return s.capacity() > kInlineCapacity ? mallocBytes(s.capacity() + 1) : 0;
}

auto keyTuple(const DigestRow& row) {
  return std::tie(row.hostgroup, row.schemaname, row.username, row.clientAddress, row.digest);
}

void fillPercentiles(DigestRow& row) {
  const Percentiles p = percentiles(row.histogram, row.minTime, row.maxTime);
  row.p50Us = p.p50Us;
  row.p95Us = p.p95Us;
  row.p99Us = p.p99Us;
}

// Folds `from` (same key) into `into`.
void mergeRow(DigestRow& into, const DigestRow& from) {
  if (from.countStar == 0) return;
  if (into.countStar == 0) {
    into.firstSeen = from.firstSeen;
    into.minTime = from.minTime;
  } else {
    into.firstSeen = std::min(into.firstSeen, from.firstSeen);
    into.minTime = std::min(into.minTime, from.minTime);
  }
  into.lastSeen = std::max(into.lastSeen, from.lastSeen);
  into.maxTime = std::max(into.maxTime, from.maxTime);
  into.countStar += from.countStar;
  into.sumTime += from.sumTime;
  into.sumRowsAffected += from.sumRowsAffected;
  into.sumRowsSent += from.sumRowsSent;
  into.histogram.merge(from.histogram);
  if (into.digestText.empty()) into.digestText = from.digestText;
}

}  // namespace

size_t DigestStats::KeyHash::operator()(const DigestKeyView& key) const noexcept {
  const std::hash<std::string_view> text;
  uint64_t h = combine(key.digest, static_cast<uint32_t>(key.hostgroup));
  h = combine(h, text(key.schemaname));
  h = combine(h, text(key.username));
  return combine(h, text(key.clientAddress));
}

bool DigestStats::KeyEqual::operator()(const Key& a, const Key& b) const noexcept {
  return a.hash == b.hash && a.digest == b.digest && a.hostgroup == b.hostgroup &&
         a.schemaname == b.schemaname && a.username == b.username &&
         a.clientAddress == b.clientAddress;
}

bool DigestStats::KeyEqual::operator()(const Key& a, const DigestKeyView& b) const noexcept {
  return a.digest == b.digest && a.hostgroup == b.hostgroup && a.schemaname == b.schemaname &&
         a.username == b.username && a.clientAddress == b.clientAddress;
}

DigestStats::DigestStats(size_t maxEntries) : maxEntries_(maxEntries) {
  overflow_.digestText = kOverflowDigestText;
}

void DigestStats::record(const DigestKeyView& key, std::string_view digestText, uint64_t nowUnixSec,
                         uint64_t durationUs, uint64_t rowsAffected, uint64_t rowsSent) {
  auto it = entries_.find(key);
  if (it != entries_.end()) [[likely]] {
    count(it->second, nowUnixSec, durationUs, rowsAffected, rowsSent);
  } else if (entries_.size() >= maxEntries_) {
    count(overflow_, nowUnixSec, durationUs, rowsAffected, rowsSent);
  } else {
    count(insert(key, digestText), nowUnixSec, durationUs, rowsAffected, rowsSent);
  }
}

void DigestStats::noteText(uint64_t digest, std::string_view digestText) {
  if (entries_.size() >= maxEntries_ || texts_.find(digest) != texts_.end()) [[likely]] {
    return;
  }
  auto [text, added] = texts_.try_emplace(digest, digestText);
  if (added) {
    heapBytes_ +=
        mallocBytes(sizeof(void*) + sizeof(decltype(texts_)::value_type)) + heapBytes(text->second);
  }
}

void DigestStats::count(Entry& entry, uint64_t nowUnixSec, uint64_t durationUs,
                        uint64_t rowsAffected, uint64_t rowsSent) noexcept {
  if (entry.countStar == 0) {
    entry.firstSeen = nowUnixSec;
    entry.lastSeen = nowUnixSec;
    entry.minTime = durationUs;
    entry.maxTime = durationUs;
  } else {
    // The wall clock may step back; keep first <= last anyway.
    entry.firstSeen = std::min(entry.firstSeen, nowUnixSec);
    entry.lastSeen = std::max(entry.lastSeen, nowUnixSec);
    entry.minTime = std::min(entry.minTime, durationUs);
    entry.maxTime = std::max(entry.maxTime, durationUs);
  }
  ++entry.countStar;
  entry.sumTime += durationUs;
  entry.sumRowsAffected += rowsAffected;
  entry.sumRowsSent += rowsSent;
  entry.histogram.add(durationUs);
}

DigestStats::Entry& DigestStats::insert(const DigestKeyView& key, std::string_view digestText) {
  // A 64-bit digest collision would show the first text seen; the digest is the key anyway.
  auto [text, textAdded] = texts_.try_emplace(key.digest, digestText);
  if (textAdded) {
    heapBytes_ +=
        mallocBytes(sizeof(void*) + sizeof(decltype(texts_)::value_type)) + heapBytes(text->second);
  }
  Key stored{.hash = KeyHash{}(key),
             .hostgroup = key.hostgroup,
             .schemaname = std::string(key.schemaname),
             .username = std::string(key.username),
             .clientAddress = std::string(key.clientAddress),
             .digest = key.digest};
  Entry entry;
  entry.digestText = text->second;
  auto [it, added] = entries_.emplace(std::move(stored), entry);
  (void)added;  // find() in record() just missed this key
  const Key& k = it->first;
  heapBytes_ += mallocBytes(sizeof(void*) + sizeof(EntryMap::value_type)) +
                heapBytes(k.schemaname) + heapBytes(k.username) + heapBytes(k.clientAddress);
  return it->second;
}

size_t DigestStats::memoryBytes() const noexcept {
  return sizeof(*this) + heapBytes_ + entries_.bucket_count() * sizeof(void*) +
         texts_.bucket_count() * sizeof(void*);
}

DigestRow DigestStats::makeRow(const Key& key, const Entry& entry) {
  DigestRow row;
  row.hostgroup = key.hostgroup;
  row.schemaname = key.schemaname;
  row.username = key.username;
  row.clientAddress = key.clientAddress;
  row.digest = key.digest;
  row.digestText = std::string(entry.digestText);
  row.countStar = entry.countStar;
  row.firstSeen = entry.firstSeen;
  row.lastSeen = entry.lastSeen;
  row.sumTime = entry.sumTime;
  row.minTime = entry.minTime;
  row.maxTime = entry.maxTime;
  row.sumRowsAffected = entry.sumRowsAffected;
  row.sumRowsSent = entry.sumRowsSent;
  row.histogram = entry.histogram;
  fillPercentiles(row);
  return row;
}

void DigestStats::appendOverflow(std::vector<DigestRow>& out) const {
  if (overflow_.countStar == 0) return;
  Key key;
  key.hostgroup = kOverflowHostgroup;
  out.push_back(makeRow(key, overflow_));
}

void DigestStats::appendTo(std::vector<DigestRow>& out) const {
  out.reserve(out.size() + entries_.size() + 1);
  for (const auto& [key, entry] : entries_) out.push_back(makeRow(key, entry));
  appendOverflow(out);
}

void DigestStats::drainTo(std::vector<DigestRow>& out) {
  out.reserve(out.size() + entries_.size() + 1);
  while (!entries_.empty()) {
    auto node = entries_.extract(entries_.begin());
    DigestRow row = makeRow(Key{}, node.mapped());
    Key& key = node.key();
    row.hostgroup = key.hostgroup;
    row.schemaname = std::move(key.schemaname);
    row.username = std::move(key.username);
    row.clientAddress = std::move(key.clientAddress);
    row.digest = key.digest;
    out.push_back(std::move(row));
  }
  appendOverflow(out);
  reset();
}

void DigestStats::reset() {
  EntryMap().swap(entries_);
  decltype(texts_)().swap(texts_);
  overflow_ = Entry{};
  overflow_.digestText = kOverflowDigestText;
  heapBytes_ = 0;
}

void DigestStats::mergeRows(std::vector<DigestRow>& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const DigestRow& a, const DigestRow& b) { return keyTuple(a) < keyTuple(b); });
  size_t kept = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (kept > 0 && keyTuple(rows[kept - 1]) == keyTuple(rows[i])) {
      mergeRow(rows[kept - 1], rows[i]);
    } else {
      if (kept != i) rows[kept] = std::move(rows[i]);
      ++kept;
    }
  }
  rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(kept), rows.end());
  for (DigestRow& row : rows) fillPercentiles(row);
}

}  // namespace rwproxy::stats

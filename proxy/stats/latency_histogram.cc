// Bucket lookup and percentile estimation for LatencyHistogram.
//
// bucketOf() runs once per query on the worker, so it avoids a binary search: the bucket
// boundaries grow by less than 2x per step, so the bucket holding the value's highest power of
// two (a table indexed by std::bit_width) is at most three steps below the right one.
#include "proxy/stats/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace rwproxy::stats {
namespace {

constexpr size_t kLastBucket = kLatencyBuckets - 1;

// kFirstBucket[w]: the bucket holding the smallest value of bit width w (0, or 2^(w-1)).
constexpr std::array<uint8_t, 65> makeFirstBucketTable() {
  std::array<uint8_t, 65> table{};
  for (size_t width = 0; width < table.size(); ++width) {
    const uint64_t value = width == 0 ? 0 : uint64_t{1} << (width - 1);
    size_t bucket = 0;
    while (bucket < kLastBucket && value >= kLatencyBucketLower[bucket + 1]) ++bucket;
    table[width] = static_cast<uint8_t>(bucket);
  }
  return table;
}

constexpr std::array<uint8_t, 65> kFirstBucket = makeFirstBucketTable();

constexpr bool boundsIncrease() {
  for (size_t i = 0; i < kLastBucket; ++i) {
    if (kLatencyBucketLower[i] >= kLatencyBucketLower[i + 1]) return false;
  }
  return true;
}
static_assert(boundsIncrease());
static_assert(kLatencyBucketLower[0] == 0 && kLatencyBucketLower[1] == 1);

// Halves every counter, rounding up so that a non-empty bucket stays non-empty.
template <typename Counts>
void halve(Counts& counts) noexcept {
  for (auto& c : counts) c = c / 2 + c % 2;
}

}  // namespace

size_t LatencyHistogram::bucketOf(uint64_t us) noexcept {
  size_t bucket = kFirstBucket[static_cast<size_t>(std::bit_width(us))];
  while (bucket < kLastBucket && us >= kLatencyBucketLower[bucket + 1]) ++bucket;
  return bucket;
}

void LatencyHistogram::add(uint64_t us) noexcept {
  uint32_t& counter = counts[bucketOf(us)];
  if (counter == std::numeric_limits<uint32_t>::max()) [[unlikely]] {
    halve(counts);
  }
  ++counter;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  std::array<uint64_t, kLatencyBuckets> sums{};
  uint64_t largest = 0;
  for (size_t i = 0; i < kLatencyBuckets; ++i) {
    sums[i] = uint64_t{counts[i]} + other.counts[i];
    largest = std::max(largest, sums[i]);
  }
  while (largest > std::numeric_limits<uint32_t>::max()) {
    halve(sums);
    largest = largest / 2 + largest % 2;
  }
  for (size_t i = 0; i < kLatencyBuckets; ++i) counts[i] = static_cast<uint32_t>(sums[i]);
}

uint64_t LatencyHistogram::total() const noexcept {
  uint64_t sum = 0;
  for (uint32_t c : counts) sum += c;
  return sum;
}

uint64_t percentile(const LatencyHistogram& histogram, double quantile, uint64_t minUs,
                    uint64_t maxUs) noexcept {
  const uint64_t total = histogram.total();
  if (total == 0) return 0;
  // Nearest rank: the smallest sample with at least `quantile` of the samples at or below it.
  const double wanted = std::ceil(std::clamp(quantile, 0.0, 1.0) * static_cast<double>(total));
  const uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(wanted), 1, total);

  uint64_t before = 0;
  size_t bucket = 0;
  while (before + histogram.counts[bucket] < rank) before += histogram.counts[bucket++];

  // Spread the bucket's samples evenly over its integer range [low, high].
  const uint64_t count = histogram.counts[bucket];
  const uint64_t low = kLatencyBucketLower[bucket];
  const uint64_t high =
      bucket < kLastBucket ? kLatencyBucketLower[bucket + 1] - 1 : std::max(low, maxUs);
  const double fraction =
      count == 1 ? 0.5 : static_cast<double>(rank - before - 1) / static_cast<double>(count - 1);
  const uint64_t width = high - low;
  const double offset = std::round(fraction * static_cast<double>(width));
  uint64_t estimate =
      low + (offset >= static_cast<double>(width) ? width : static_cast<uint64_t>(offset));
  if (minUs <= maxUs) estimate = std::clamp(estimate, minUs, maxUs);
  return estimate;
}

Percentiles percentiles(const LatencyHistogram& histogram, uint64_t minUs,
                        uint64_t maxUs) noexcept {
  return Percentiles{.p50Us = percentile(histogram, 0.50, minUs, maxUs),
                     .p95Us = percentile(histogram, 0.95, minUs, maxUs),
                     .p99Us = percentile(histogram, 0.99, minUs, maxUs)};
}

}  // namespace rwproxy::stats

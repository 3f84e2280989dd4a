// A fixed-size, log-scaled latency histogram (64 x uint32 counters, 256 bytes) from which
// percentiles are estimated, as shown by stats_mysql_query_digest's p50_us / p95_us / p99_us.
//
// Buckets (microseconds, bucket i holds [kLatencyBucketLower[i], kLatencyBucketLower[i+1])):
//  - bucket 0 holds 0 us; buckets 1..4 hold exactly 1, 2, 3 and 4 us;
//  - buckets 5..62 grow geometrically (ratio 1.3347) from 4 us to 100 s;
//  - bucket 63 holds everything from 100 s up.
//
// Error bound: percentile() returns a value in the same bucket as the true nearest-rank
// percentile, interpolated linearly over the bucket's integer range and clamped to [min, max]
// of the samples when the caller knows them. So |estimate - true| <= (upper - lower) of that
// bucket, which is at most 33.5% of the true value for 1 us .. 100 s (exact up to 4 us). Above
// 100 s the estimate lies between 100 s and the max passed in (100 s if none). For smooth
// distributions the interpolation is far better than the bound (uniform data: exact).
//
// Counters saturate by halving: when one would pass UINT32_MAX, every counter is halved
// (rounding up, so a non-empty bucket stays non-empty). Percentiles depend only on the shape, so
// they stay valid; the histogram's total then no longer equals the number of samples.
//
// Plain value type, no allocation, no locking: the owner serializes access.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace rwproxy::stats {

inline constexpr size_t kLatencyBuckets = 64;

// Lower bound (inclusive) of each bucket, in microseconds.
inline constexpr std::array<uint64_t, kLatencyBuckets> kLatencyBucketLower = {
    0,        1,        2,        3,        4,        5,        7,        10,
    13,       17,       23,       30,       40,       54,       72,       96,
    128,      171,      228,      304,      406,      542,      723,      965,
    1288,     1719,     2294,     3062,     4087,     5455,     7281,     9718,
    12970,    17312,    23106,    30840,    41163,    54940,    73330,    97874,
    130634,   174360,   232721,   310616,   414584,   553352,   738567,   985778,
    1315733,  1756130,  2343934,  3128486,  4175640,  5573293,  7438762,  9928634,
    13251905, 17687527, 23607823, 31509735, 42056542, 56133532, 74922315, 100000000};

// The documented relative error bound of percentile() between 1 us and 100 s.
inline constexpr double kLatencyPercentileMaxRelativeError = 0.335;

struct Percentiles {
  uint64_t p50Us = 0;
  uint64_t p95Us = 0;
  uint64_t p99Us = 0;
};

struct LatencyHistogram {
  std::array<uint32_t, kLatencyBuckets> counts{};

  // Index of the bucket that holds `us`.
  static size_t bucketOf(uint64_t us) noexcept;

  void add(uint64_t us) noexcept;
  // Adds `other`'s counters to this one (halving both first when a sum would overflow).
  void merge(const LatencyHistogram& other) noexcept;
  uint64_t total() const noexcept;
  void clear() noexcept { counts = {}; }

  bool operator==(const LatencyHistogram&) const = default;
};

// The nearest-rank `quantile` (0 < quantile <= 1) of the histogram, estimated as described above,
// clamped to [minUs, maxUs]. 0 when the histogram is empty. The default maxUs (100 s) makes the
// last bucket report its lower bound.
uint64_t percentile(const LatencyHistogram& histogram, double quantile, uint64_t minUs = 0,
                    uint64_t maxUs = kLatencyBucketLower[kLatencyBuckets - 1]) noexcept;

// p50, p95 and p99 of the histogram (see percentile()).
Percentiles percentiles(const LatencyHistogram& histogram, uint64_t minUs = 0,
                        uint64_t maxUs = kLatencyBucketLower[kLatencyBuckets - 1]) noexcept;

}  // namespace rwproxy::stats

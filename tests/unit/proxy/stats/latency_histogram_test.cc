#include "proxy/stats/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

using namespace rwproxy::stats;

namespace {

size_t referenceBucket(uint64_t us) {
  size_t bucket = 0;
  while (bucket + 1 < kLatencyBuckets && us >= kLatencyBucketLower[bucket + 1]) ++bucket;
  return bucket;
}

// The nearest-rank percentile of the samples themselves.
uint64_t truePercentile(std::vector<uint64_t> samples, double q) {
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

TEST_CASE("bucketOf agrees with a linear scan at every boundary and beyond") {
  for (uint64_t lower : kLatencyBucketLower) {
    for (uint64_t us : {lower, lower + 1, lower == 0 ? 0 : lower - 1, lower * 2, lower * 3 / 2}) {
      INFO("us=" << us);
      CHECK(LatencyHistogram::bucketOf(us) == referenceBucket(us));
    }
  }
  std::mt19937_64 random(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t us = random() >> (random() % 64);
    CHECK(LatencyHistogram::bucketOf(us) == referenceBucket(us));
  }
  CHECK(LatencyHistogram::bucketOf(std::numeric_limits<uint64_t>::max()) == kLatencyBuckets - 1);
  CHECK(LatencyHistogram::bucketOf(0) == 0);
  CHECK(LatencyHistogram::bucketOf(100'000'000) == kLatencyBuckets - 1);
  CHECK(LatencyHistogram::bucketOf(99'999'999) == kLatencyBuckets - 2);
}

TEST_CASE("the bucket widths give the documented error bound") {
  for (size_t i = 1; i + 1 < kLatencyBuckets; ++i) {
    const double lower = static_cast<double>(kLatencyBucketLower[i]);
    const double widest = static_cast<double>(kLatencyBucketLower[i + 1] - 1) - lower;
    CHECK(widest / lower <= kLatencyPercentileMaxRelativeError);
  }
}

TEST_CASE("an empty histogram reports 0") {
  LatencyHistogram h;
  CHECK(h.total() == 0);
  const Percentiles p = percentiles(h);
  CHECK(p.p50Us == 0);
  CHECK(p.p99Us == 0);
}

TEST_CASE("uniform 1..1000 us gives p50 ~500, p95 ~950, p99 ~990") {
  LatencyHistogram h;
  for (uint64_t us = 1; us <= 1000; ++us) h.add(us);
  CHECK(h.total() == 1000);
  const Percentiles p = percentiles(h, 1, 1000);
  // Within the documented bound, and in fact within 1% for uniform data.
  CHECK(std::abs(static_cast<double>(p.p50Us) - 500) <= 500 * kLatencyPercentileMaxRelativeError);
  CHECK(p.p50Us >= 495);
  CHECK(p.p50Us <= 505);
  CHECK(p.p95Us >= 940);
  CHECK(p.p95Us <= 960);
  CHECK(p.p99Us >= 980);
  CHECK(p.p99Us <= 1000);
}

TEST_CASE("small values are exact") {
  LatencyHistogram h;
  for (int i = 0; i < 10; ++i) h.add(3);
  h.add(0);
  CHECK(percentile(h, 0.5) == 3);
  CHECK(percentile(h, 0.01) == 0);
  CHECK(percentile(h, 1.0) == 3);
}

TEST_CASE("min and max clamp the estimate") {
  LatencyHistogram h;
  h.add(600);  // bucket [542, 723)
  CHECK(percentile(h, 0.5) >= 542);
  CHECK(percentile(h, 0.5) < 723);
  CHECK(percentile(h, 0.5, 600, 600) == 600);
}

TEST_CASE("values above 100 s report between 100 s and the max") {
  LatencyHistogram h;
  h.add(250'000'000);
  h.add(300'000'000);
  CHECK(percentile(h, 0.99) == 100'000'000);  // max unknown: the bucket's lower bound
  const uint64_t p = percentile(h, 0.99, 250'000'000, 300'000'000);
  CHECK(p >= 250'000'000);
  CHECK(p <= 300'000'000);
  CHECK(percentile(h, 1.0, 0, std::numeric_limits<uint64_t>::max()) >= 100'000'000);
}

TEST_CASE("percentiles stay within the documented bound on skewed data") {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> exponent(0.0, 8.0);
  for (int round = 0; round < 20; ++round) {
    std::vector<uint64_t> samples;
    LatencyHistogram h;
    uint64_t lo = std::numeric_limits<uint64_t>::max();
    uint64_t hi = 0;
    for (int i = 0; i < 2000; ++i) {
      const auto us = static_cast<uint64_t>(std::pow(10.0, exponent(random)));
      samples.push_back(us);
      h.add(us);
      lo = std::min(lo, us);
      hi = std::max(hi, us);
    }
    for (double q : {0.5, 0.95, 0.99}) {
      const auto expected = static_cast<double>(truePercentile(samples, q));
      const auto estimate = static_cast<double>(percentile(h, q, lo, hi));
      INFO("q=" << q << " expected=" << expected << " estimate=" << estimate);
      CHECK(std::abs(estimate - expected) <= expected * kLatencyPercentileMaxRelativeError);
    }
  }
}

TEST_CASE("a saturated counter halves the histogram instead of wrapping") {
  LatencyHistogram h;
  h.add(10);
  h.counts[LatencyHistogram::bucketOf(500)] = std::numeric_limits<uint32_t>::max();
  h.add(500);
  CHECK(h.counts[LatencyHistogram::bucketOf(500)] == (uint32_t{1} << 31) + 1);
  CHECK(h.counts[LatencyHistogram::bucketOf(10)] == 1);  // rounded up, not lost

  LatencyHistogram a;
  LatencyHistogram b;
  a.counts[20] = std::numeric_limits<uint32_t>::max();
  b.counts[20] = std::numeric_limits<uint32_t>::max();
  b.counts[3] = 4;
  a.merge(b);
  CHECK(a.counts[20] == std::numeric_limits<uint32_t>::max());
  CHECK(a.counts[3] == 2);
}

TEST_CASE("merge adds counters") {
  LatencyHistogram a;
  LatencyHistogram b;
  for (uint64_t us = 1; us <= 500; ++us) a.add(us);
  for (uint64_t us = 501; us <= 1000; ++us) b.add(us);
  a.merge(b);
  CHECK(a.total() == 1000);
  const uint64_t p50 = percentile(a, 0.5, 1, 1000);
  CHECK(p50 >= 495);
  CHECK(p50 <= 505);
}

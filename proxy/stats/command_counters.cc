#include "proxy/stats/command_counters.h"

#include <algorithm>

namespace rwproxy::stats {

void CommandCounters::record(sql::CommandKind kind, uint64_t durationUs) noexcept {
  if (kind == sql::CommandKind::None) {
    return;
  }
  Row& r = rows_[static_cast<size_t>(kind)];
  r.totalTimeUs += durationUs;
  ++r.totalCount;
  auto bound = std::lower_bound(kBucketBoundsUs.begin(), kBucketBoundsUs.end(), durationUs);
  ++r.buckets[static_cast<size_t>(bound - kBucketBoundsUs.begin())];
}

void CommandCounters::addTo(CommandCounters& total) const noexcept {
  for (size_t k = 0; k < rows_.size(); ++k) {
    const Row& mine = rows_[k];
    Row& sum = total.rows_[k];
    sum.totalTimeUs += mine.totalTimeUs;
    sum.totalCount += mine.totalCount;
    for (size_t b = 0; b < kBuckets; ++b) {
      sum.buckets[b] += mine.buckets[b];
    }
  }
}

}  // namespace rwproxy::stats

// One worker thread's stats_mysql_commands_counters: per command kind, the queries counted, their
// total time and how many fell in each latency bucket. A fixed array indexed by kind: counting
// is two additions and a short bucket search, never an allocation.
//
// Thread-safety: none; the owning worker counts, and the admin thread reads through a task on
// that worker (addTo), like every per-worker counter.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "sql/command_kind.h"

namespace rwproxy::stats {

class CommandCounters {
 public:
  // Upper bounds (inclusive, microseconds) of the buckets cnt_100us ... cnt_10s; the last
  // bucket, cnt_INFs, takes everything slower.
  static constexpr std::array<uint64_t, 11> kBucketBoundsUs = {
      100, 500, 1000, 5000, 10000, 50000, 100000, 500000, 1000000, 5000000, 10000000};
  static constexpr size_t kBuckets = kBucketBoundsUs.size() + 1;

  struct Row {
    uint64_t totalTimeUs = 0;
    uint64_t totalCount = 0;
    std::array<uint64_t, kBuckets> buckets{};
  };

  void record(sql::CommandKind kind, uint64_t durationUs) noexcept;
  const Row& row(sql::CommandKind kind) const noexcept { return rows_[static_cast<size_t>(kind)]; }
  // Adds every row of this worker into `total`.
  void addTo(CommandCounters& total) const noexcept;

 private:
  std::array<Row, sql::kCommandKindCount> rows_{};
};

}  // namespace rwproxy::stats

#include "proxy/stats/command_counters.h"

#include <catch2/catch.hpp>

using rwproxy::sql::CommandKind;
using rwproxy::stats::CommandCounters;

TEST_CASE("queries land in ProxySQL's latency buckets") {
  CommandCounters c;
  c.record(CommandKind::Select, 0);         // cnt_100us
  c.record(CommandKind::Select, 100);       // cnt_100us (inclusive bound)
  c.record(CommandKind::Select, 101);       // cnt_500us
  c.record(CommandKind::Select, 1000);      // cnt_1ms
  c.record(CommandKind::Select, 7000);      // cnt_10ms
  c.record(CommandKind::Select, 10000001);  // cnt_INFs
  const auto& r = c.row(CommandKind::Select);
  CHECK(r.totalCount == 6);
  CHECK(r.totalTimeUs == 0 + 100 + 101 + 1000 + 7000 + 10000001);
  CHECK(r.buckets[0] == 2);
  CHECK(r.buckets[1] == 1);
  CHECK(r.buckets[2] == 1);
  CHECK(r.buckets[3] == 0);
  CHECK(r.buckets[4] == 1);
  CHECK(r.buckets[CommandCounters::kBuckets - 1] == 1);
  CHECK(c.row(CommandKind::Insert).totalCount == 0);
}

TEST_CASE("workers' counters add up; None is not counted") {
  CommandCounters a;
  CommandCounters b;
  a.record(CommandKind::Insert, 50);
  b.record(CommandKind::Insert, 60);
  b.record(CommandKind::None, 60);
  CommandCounters total;
  a.addTo(total);
  b.addTo(total);
  CHECK(total.row(CommandKind::Insert).totalCount == 2);
  CHECK(total.row(CommandKind::Insert).totalTimeUs == 110);
  CHECK(total.row(CommandKind::None).totalCount == 0);
}

#include "proxy/pool/server_load.h"

#include <catch2/catch.hpp>

#include <memory>
#include <thread>
#include <vector>

using rwproxy::pool::ServerLoad;
using rwproxy::pool::ServerSlot;
using rwproxy::pool::ServerStats;

TEST_CASE("slots are counted per server and released with their owner") {
  ServerLoad load;
  auto* a = load.serverFor("10.0.0.1", 3306);
  CHECK(load.serverFor("10.0.0.1", 3306) == a);
  CHECK(load.serverFor("10.0.0.1", 3307) != a);
  ServerStats stats(*a);
  {
    ServerSlot one = ServerSlot::tryReserve(&stats, 2);
    ServerSlot two = ServerSlot::tryReserve(&stats, 2);
    CHECK(one);
    CHECK(two);
    CHECK(one.stats() == &stats);
    CHECK_FALSE(ServerSlot::tryReserve(&stats, 2));
    CHECK(stats.load() == 2);
    CHECK(stats.open == 2);
    CHECK(stats.maxUsed == 2);
    ServerSlot moved = std::move(two);
    CHECK(stats.load() == 2);
  }
  CHECK(stats.load() == 0);
  CHECK(stats.open == 0);
  CHECK(stats.maxUsed == 2);  // the high-water mark stays until a reset
  stats.resetCounters();
  CHECK(stats.maxUsed == 0);
  CHECK_FALSE(ServerSlot::tryReserve(&stats, 0));  // max_connections=0 takes nothing new
}

TEST_CASE("workers' rows of one server share its max_connections") {
  ServerLoad load;
  auto* shared = load.serverFor("h", 1);
  ServerStats hostgroup10(*shared);
  ServerStats hostgroup20(*shared);
  ServerSlot a = ServerSlot::tryReserve(&hostgroup10, 2);
  ServerSlot b = ServerSlot::tryReserve(&hostgroup20, 2);
  CHECK(a);
  CHECK(b);
  CHECK_FALSE(ServerSlot::tryReserve(&hostgroup10, 2));
  CHECK(hostgroup10.open == 1);
  CHECK(hostgroup20.open == 1);
}

TEST_CASE("concurrent reservations never exceed the limit") {
  ServerLoad load;
  auto* shared = load.serverFor("h", 1);
  std::vector<std::thread> threads;
  std::vector<std::vector<ServerSlot>> held(4);
  // One ServerStats per thread, as each worker has its own.
  std::vector<std::unique_ptr<ServerStats>> stats;
  for (int t = 0; t < 4; ++t) {
    stats.push_back(std::make_unique<ServerStats>(*shared));
  }
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        ServerSlot s = ServerSlot::tryReserve(stats[static_cast<size_t>(t)].get(), 50);
        if (s) {
          held[static_cast<size_t>(t)].push_back(std::move(s));
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  size_t total = 0;
  for (auto& h : held) {
    total += h.size();
  }
  CHECK(total == 50);
  CHECK(shared->connections.load() == 50);
  held.clear();
  CHECK(shared->connections.load() == 0);
}

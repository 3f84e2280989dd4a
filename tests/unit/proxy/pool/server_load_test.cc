#include "proxy/pool/server_load.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using rwproxy::pool::ServerLoad;
using rwproxy::pool::ServerSlot;

TEST_CASE("slots are counted per server and released with their owner") {
  ServerLoad load;
  auto* a = load.counterFor("10.0.0.1", 3306);
  CHECK(load.counterFor("10.0.0.1", 3306) == a);
  CHECK(load.counterFor("10.0.0.1", 3307) != a);
  {
    ServerSlot one = ServerSlot::tryReserve(a, 2);
    ServerSlot two = ServerSlot::tryReserve(a, 2);
    CHECK(one);
    CHECK(two);
    CHECK_FALSE(ServerSlot::tryReserve(a, 2));
    CHECK(a->load() == 2);
    ServerSlot moved = std::move(two);
    CHECK(a->load() == 2);
  }
  CHECK(a->load() == 0);
  CHECK_FALSE(ServerSlot::tryReserve(a, 0));  // max_connections=0 takes nothing new
}

TEST_CASE("concurrent reservations never exceed the limit") {
  ServerLoad load;
  auto* c = load.counterFor("h", 1);
  std::vector<std::thread> threads;
  std::vector<std::vector<ServerSlot>> held(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        ServerSlot s = ServerSlot::tryReserve(c, 50);
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
  CHECK(c->load() == 50);
}

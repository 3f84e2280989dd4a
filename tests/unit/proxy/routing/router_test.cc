#include "proxy/routing/router.h"

#include <catch2/catch.hpp>

#include <map>

using rwproxy::config::Runtime;
using rwproxy::config::Server;
using rwproxy::config::ServerStatus;
using rwproxy::routing::Router;

namespace {

Server server(int hostgroup, const char* host, int weight,
              ServerStatus status = ServerStatus::Online) {
  Server s;
  s.hostgroupId = hostgroup;
  s.hostname = host;
  s.weight = weight;
  s.status = status;
  return s;
}

}  // namespace

TEST_CASE("router picks only ONLINE servers of the hostgroup") {
  Runtime rt;
  rt.servers = {server(10, "w", 1), server(20, "r1", 1, ServerStatus::OfflineSoft),
                server(20, "r2", 1), server(20, "r3", 1, ServerStatus::Shunned),
                server(20, "r4", 1, ServerStatus::OfflineHard)};
  Router router(42);
  for (int i = 0; i < 200; ++i) {
    const Server* s = router.pick(rt, 20);
    REQUIRE(s != nullptr);
    CHECK(s->hostname == "r2");
  }
  CHECK(router.pick(rt, 30) == nullptr);
  CHECK(Router::hostgroupExists(rt, 20));
  CHECK_FALSE(Router::hostgroupExists(rt, 30));
}

TEST_CASE("router spreads by weight") {
  Runtime rt;
  rt.servers = {server(20, "a", 100), server(20, "b", 300), server(20, "zero", 0)};
  Router router(7);
  std::map<std::string, int> hits;
  for (int i = 0; i < 40000; ++i) {
    hits[router.pick(rt, 20)->hostname]++;
  }
  CHECK(hits["zero"] == 0);
  // Expect 1:3; allow generous slack, the generator is deterministic anyway.
  CHECK(hits["a"] > 8000);
  CHECK(hits["a"] < 12000);
  CHECK(hits["b"] > 28000);
}

TEST_CASE("router skips excluded servers and reports exhaustion") {
  Runtime rt;
  rt.servers = {server(10, "a", 1), server(10, "b", 1)};
  Router router(1);
  const Server* first = router.pick(rt, 10);
  REQUIRE(first != nullptr);
  const Server* second = router.pick(rt, 10, {first});
  REQUIRE(second != nullptr);
  CHECK(second != first);
  CHECK(router.pick(rt, 10, {first, second}) == nullptr);
}

TEST_CASE("router skips servers its availability refuses (SHUNNED ones)") {
  struct Refuse : rwproxy::routing::ServerAvailability {
    std::string host;
    bool admits(const Server& s) override { return s.hostname != host; }
  };
  Runtime rt;
  rt.servers = {server(20, "a", 1), server(20, "b", 1)};
  Refuse refuse;
  refuse.host = "a";
  Router router(3, &refuse);
  for (int i = 0; i < 100; ++i) {
    const Server* s = router.pick(rt, 20);
    REQUIRE(s != nullptr);
    CHECK(s->hostname == "b");
  }
  refuse.host = "";
  std::map<std::string, int> hits;
  for (int i = 0; i < 100; ++i) {
    hits[router.pick(rt, 20)->hostname]++;
  }
  CHECK(hits["a"] > 0);  // admitted again: traffic comes back
  Runtime lone;
  lone.servers = {server(30, "only", 1)};
  refuse.host = "only";
  CHECK(router.pick(lone, 30) == nullptr);  // the caller answers with an error at once
}

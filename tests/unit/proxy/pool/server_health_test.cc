#include "proxy/pool/server_health.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using rwproxy::pool::ServerHealth;

namespace {

constexpr int kShunOn = 5;
constexpr uint64_t kRecoveryMs = 10000;
constexpr uint64_t kT0 = 1'000'000;  // a whole second on the injected clock

}  // namespace

TEST_CASE("a server is shunned after shun_on_failures failures within one second") {
  ServerHealth h;
  for (int i = 0; i < kShunOn - 1; ++i) {
    CHECK_FALSE(h.recordFailure(kT0 + 100 * static_cast<uint64_t>(i), kShunOn, kRecoveryMs));
  }
  CHECK_FALSE(h.shunned());
  CHECK(h.admits(kT0 + 500, kRecoveryMs));
  CHECK(h.recordFailure(kT0 + 900, kShunOn, kRecoveryMs));
  CHECK(h.shunned());
  CHECK_FALSE(h.admits(kT0 + 901, kRecoveryMs));
}

TEST_CASE("failures spread over several seconds do not add up") {
  ServerHealth h;
  for (int second = 0; second < 10; ++second) {
    for (int i = 0; i < kShunOn - 1; ++i) {
      CHECK_FALSE(
          h.recordFailure(kT0 + 1000 * static_cast<uint64_t>(second) + 10, kShunOn, kRecoveryMs));
    }
  }
  CHECK_FALSE(h.shunned());
}

TEST_CASE("after the recovery time the server is tried again, and ONLINE once it answers") {
  ServerHealth h;
  for (int i = 0; i < kShunOn; ++i) {
    h.recordFailure(kT0, kShunOn, kRecoveryMs);
  }
  REQUIRE(h.shunned());
  CHECK_FALSE(h.admits(kT0 + kRecoveryMs - 1, kRecoveryMs));
  CHECK(h.admits(kT0 + kRecoveryMs, kRecoveryMs));
  CHECK(h.shunned());  // still shown SHUNNED while being tried
  h.recordSuccess();
  CHECK_FALSE(h.shunned());
  CHECK(h.admits(kT0 + kRecoveryMs, kRecoveryMs));
}

TEST_CASE("failures of connections started before the shunning do not extend it") {
  ServerHealth h;
  for (int i = 0; i < kShunOn; ++i) {
    h.recordFailure(kT0, kShunOn, kRecoveryMs);
  }
  // More failures in the next second, while shunned: the recovery still counts from kT0.
  for (int i = 0; i < kShunOn; ++i) {
    CHECK_FALSE(h.recordFailure(kT0 + 1000, kShunOn, kRecoveryMs));
  }
  CHECK(h.admits(kT0 + kRecoveryMs, kRecoveryMs));
}

TEST_CASE("a server still failing after its recovery time is shunned anew") {
  ServerHealth h;
  for (int i = 0; i < kShunOn; ++i) {
    h.recordFailure(kT0, kShunOn, kRecoveryMs);
  }
  uint64_t retry = kT0 + kRecoveryMs + 500;
  REQUIRE(h.admits(retry, kRecoveryMs));
  for (int i = 0; i < kShunOn - 1; ++i) {
    CHECK_FALSE(h.recordFailure(retry, kShunOn, kRecoveryMs));
  }
  CHECK(h.admits(retry, kRecoveryMs));  // one failed try is not enough
  CHECK(h.recordFailure(retry, kShunOn, kRecoveryMs));
  CHECK_FALSE(h.admits(retry + kRecoveryMs - 1, kRecoveryMs));
  CHECK(h.admits(retry + kRecoveryMs, kRecoveryMs));
}

TEST_CASE("shun_on_failures=0 never shuns; recovery 0 retries at once") {
  ServerHealth never;
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(never.recordFailure(kT0, 0, kRecoveryMs));
  }
  CHECK_FALSE(never.shunned());

  ServerHealth quick;
  for (int i = 0; i < kShunOn; ++i) {
    quick.recordFailure(kT0, kShunOn, 0);
  }
  CHECK(quick.shunned());
  CHECK(quick.admits(kT0, 0));
}

TEST_CASE("a clock reading from just before the shunning does not count as recovered") {
  ServerHealth h;
  for (int i = 0; i < kShunOn; ++i) {
    h.recordFailure(kT0 + 500, kShunOn, kRecoveryMs);
  }
  CHECK_FALSE(h.admits(kT0 + 499, kRecoveryMs));
}

TEST_CASE("concurrent failures from many workers shun exactly once") {
  ServerHealth h;
  std::atomic<int> shunnedBy{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (h.recordFailure(kT0, kShunOn, kRecoveryMs)) {
          ++shunnedBy;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(shunnedBy == 1);
  CHECK(h.shunned());
}

#include "proxy/pool/pool_policy.h"

#include <catch2/catch.hpp>

using rwproxy::pool::decideIdle;
using rwproxy::pool::IdleAction;
using rwproxy::pool::IdleFacts;
using rwproxy::pool::PoolPolicy;

namespace {

PoolPolicy policy() {
  PoolPolicy p;
  p.pingIntervalMs = 10000;
  p.pingTimeoutMs = 1000;
  p.maxAgeMs = 0;
  p.maxIdleMs = 4ULL * 3600 * 1000;
  return p;
}

IdleFacts idleFor(uint64_t idleMs) {
  IdleFacts f;
  f.idleMs = idleMs;
  f.ageMs = idleMs;
  return f;
}

}  // namespace

TEST_CASE("an idle connection is pinged once it has been unused for the ping interval") {
  CHECK(decideIdle(idleFor(9999), policy()) == IdleAction::Keep);
  CHECK(decideIdle(idleFor(10000), policy()) == IdleAction::Ping);
  PoolPolicy noPings = policy();
  noPings.pingIntervalMs = 0;
  CHECK(decideIdle(idleFor(100000), noPings) == IdleAction::Keep);
}

TEST_CASE("a ping in flight is waited for, then its connection closed when it times out") {
  IdleFacts f = idleFor(0);
  f.pinging = true;
  f.pingMs = 999;
  CHECK(decideIdle(f, policy()) == IdleAction::Keep);
  f.pingMs = 1000;
  CHECK(decideIdle(f, policy()) == IdleAction::Close);
  f.serverShunned = true;  // a ping in flight is never interrupted, whatever else holds
  f.pingMs = 10;
  CHECK(decideIdle(f, policy()) == IdleAction::Keep);
}

TEST_CASE("connection_max_age_ms closes old idle connections; 0 keeps them") {
  IdleFacts f = idleFor(10);
  f.ageMs = 60000;
  CHECK(decideIdle(f, policy()) == IdleAction::Keep);
  PoolPolicy aged = policy();
  aged.maxAgeMs = 60000;
  CHECK(decideIdle(f, aged) == IdleAction::Close);
  f.ageMs = 59999;
  CHECK(decideIdle(f, aged) == IdleAction::Keep);
}

TEST_CASE("surplus idle connections are closed instead of being pinged") {
  IdleFacts f = idleFor(500);
  f.surplus = true;
  CHECK(decideIdle(f, policy()) == IdleAction::Keep);  // just released: maybe needed again soon
  f.idleMs = 10000;
  CHECK(decideIdle(f, policy()) == IdleAction::Close);
  f.surplus = false;
  CHECK(decideIdle(f, policy()) == IdleAction::Ping);
  PoolPolicy noPings = policy();
  noPings.pingIntervalMs = 0;
  f.surplus = true;
  f.idleMs = 1;
  CHECK(decideIdle(f, noPings) == IdleAction::Close);
}

TEST_CASE("idle connections to a SHUNNED server and very long idle ones are closed") {
  IdleFacts f = idleFor(1);
  f.serverShunned = true;
  CHECK(decideIdle(f, policy()) == IdleAction::Close);
  CHECK(decideIdle(idleFor(4ULL * 3600 * 1000), policy()) == IdleAction::Close);
}

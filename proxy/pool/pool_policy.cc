#include "proxy/pool/pool_policy.h"

namespace rwproxy::pool {

IdleAction decideIdle(const IdleFacts& facts, const PoolPolicy& policy) {
  if (facts.pinging) {
    return facts.pingMs >= policy.pingTimeoutMs ? IdleAction::Close : IdleAction::Keep;
  }
  if (facts.serverShunned) {
    return IdleAction::Close;  // stale by the time the server is tried again
  }
  if (policy.maxAgeMs > 0 && facts.ageMs >= policy.maxAgeMs) {
    return IdleAction::Close;
  }
  if (policy.maxIdleMs > 0 && facts.idleMs >= policy.maxIdleMs) {
    return IdleAction::Close;
  }
  bool pingDue = policy.pingIntervalMs > 0 && facts.idleMs >= policy.pingIntervalMs;
  if (facts.surplus && (pingDue || policy.pingIntervalMs == 0)) {
    return IdleAction::Close;
  }
  return pingDue ? IdleAction::Ping : IdleAction::Keep;
}

}  // namespace rwproxy::pool

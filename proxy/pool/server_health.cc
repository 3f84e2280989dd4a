#include "proxy/pool/server_health.h"

#include <uv.h>

#include <algorithm>

namespace rwproxy::pool {

bool ServerHealth::recordFailure(uint64_t nowMs, int shunOnFailures, uint64_t recoveryMs) noexcept {
  constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
  uint64_t second = nowMs / 1000;
  uint64_t current = window_.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    bool sameSecond = (current >> kCountBits) == second;
    uint64_t count = sameSecond ? std::min((current & kCountMask) + 1, kCountMask) : 1;
    next = (second << kCountBits) | count;
  } while (!window_.compare_exchange_weak(current, next, std::memory_order_relaxed));
  if (shunOnFailures <= 0 || (next & kCountMask) < static_cast<uint64_t>(shunOnFailures)) {
    return false;
  }
  // Failures of connections that were already under way when the server was shunned do not
  // extend the shunning; a failed try after the recovery time starts a new one.
  uint64_t since = shunnedSinceMs_.load(std::memory_order_relaxed);
  while (since == 0 || (nowMs >= since && nowMs - since >= recoveryMs)) {
    if (shunnedSinceMs_.compare_exchange_weak(since, std::max<uint64_t>(nowMs, 1),
                                              std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void ServerHealth::recordSuccess() noexcept {
  if (shunnedSinceMs_.load(std::memory_order_relaxed) != 0) {
    shunnedSinceMs_.store(0, std::memory_order_relaxed);
  }
}

bool ServerHealth::admits(uint64_t nowMs, uint64_t recoveryMs) const noexcept {
  uint64_t since = shunnedSinceMs_.load(std::memory_order_relaxed);
  // A clock read on another thread just before the shunning may be a little behind it.
  return since == 0 || (nowMs >= since && nowMs - since >= recoveryMs);
}

uint64_t monotonicMs() noexcept { return uv_hrtime() / 1000000; }

}  // namespace rwproxy::pool

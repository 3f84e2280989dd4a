#include "proxy/pool/server_load.h"

namespace rwproxy::pool {

ServerShared* ServerLoad::serverFor(const std::string& host, int port) {
  std::lock_guard lock(mutex_);
  auto& entry = servers_[host + ":" + std::to_string(port)];
  if (!entry) {
    entry = std::make_unique<ServerShared>(policy_);
  }
  return entry.get();
}

void ServerLoad::setHealthPolicy(int shunOnFailures, uint64_t recoveryMs) {
  policy_.shunOnFailures.store(shunOnFailures, std::memory_order_relaxed);
  policy_.recoveryMs.store(recoveryMs, std::memory_order_relaxed);
}

ServerSlot ServerSlot::tryReserve(ServerStats* stats, int max) {
  std::atomic<int>& counter = stats->shared->connections;
  int current = counter.load(std::memory_order_relaxed);
  while (current < max) {
    if (counter.compare_exchange_weak(current, current + 1, std::memory_order_relaxed)) {
      ++stats->open;
      stats->noteUsed();
      return ServerSlot(stats);
    }
  }
  return ServerSlot();
}

}  // namespace rwproxy::pool

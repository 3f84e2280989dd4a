#include "proxy/pool/server_load.h"

namespace rwproxy::pool {

ServerLoad::Counter* ServerLoad::counterFor(const std::string& host, int port) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[host + ":" + std::to_string(port)];
  if (!slot) {
    slot = std::make_unique<Counter>(0);
  }
  return slot.get();
}

ServerSlot ServerSlot::tryReserve(ServerLoad::Counter* counter, int max) {
  int current = counter->load(std::memory_order_relaxed);
  while (current < max) {
    if (counter->compare_exchange_weak(current, current + 1, std::memory_order_relaxed)) {
      return ServerSlot(counter);
    }
  }
  return ServerSlot();
}

}  // namespace rwproxy::pool

#include "proxy/pool/connection_exchange.h"

#include <algorithm>

namespace rwproxy::pool {

ConnectionExchange::BackendPtr ConnectionExchange::park(BackendPtr conn, uint64_t nowMs) {
  ServerShared* server = conn->serverShared();
  if (server == nullptr || !conn->detach()) {
    return conn;
  }
  std::lock_guard lock(mutex_);
  server->parked.fetch_add(1, std::memory_order_relaxed);
  parked_.push_back({std::move(conn), nowMs});
  return nullptr;
}

ConnectionExchange::BackendPtr ConnectionExchange::take(const session::BackendIdentity& identity,
                                                        const std::string& schema,
                                                        const session::SessionVars& vars) {
  std::lock_guard lock(mutex_);
  // The most recently parked first (the warmest), and the one that needs the least sync.
  size_t best = parked_.size();
  int bestScore = -1;
  for (size_t i = parked_.size(); i-- > 0 && bestScore < 2;) {
    const auto& conn = *parked_[i].conn;
    if (conn.identity() == identity) {
      int score = (conn.schema() == schema ? 1 : 0) + (conn.vars() == vars ? 1 : 0);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
  }
  if (best == parked_.size()) {
    return nullptr;
  }
  return removeAt(best);
}

ConnectionExchange::BackendPtr ConnectionExchange::takeAny(const ServerShared* server) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < parked_.size(); ++i) {
    if (parked_[i].conn->serverShared() == server) {
      return removeAt(i);
    }
  }
  return nullptr;
}

void ConnectionExchange::takeStale(uint64_t nowMs, uint64_t maxParkedMs,
                                   std::vector<BackendPtr>& out) {
  std::lock_guard lock(mutex_);
  while (!parked_.empty() && nowMs - std::min(nowMs, parked_.front().sinceMs) >= maxParkedMs) {
    out.push_back(removeAt(0));
  }
}

ConnectionExchange::BackendPtr ConnectionExchange::removeAt(size_t index) {
  BackendPtr conn = std::move(parked_[index].conn);
  parked_.erase(parked_.begin() + static_cast<std::ptrdiff_t>(index));
  conn->serverShared()->parked.fetch_sub(1, std::memory_order_relaxed);
  return conn;
}

size_t ConnectionExchange::parkedCount() {
  std::lock_guard lock(mutex_);
  return parked_.size();
}

}  // namespace rwproxy::pool

#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace rwproxy::session {

// The prepared statements one backend connection holds: the registry's statement id mapped to
// the server's own id, with a use clock for least-recently-used eviction. Bounded by
// mysql-max_stmts_per_connection so a busy proxy never runs a server into
// max_prepared_stmt_count. A handful of entries: a vector scan beats a map.
class BackendStatements {
 public:
  // The server's id of statement `stmtId` on this connection (and marks it used), or 0.
  uint32_t serverId(uint64_t stmtId) {
    for (auto& s : stmts_) {
      if (s.stmtId == stmtId) {
        s.lastUse = ++clock_;
        return s.serverId;
      }
    }
    return 0;
  }

  // Before preparing one more: when `max` are held already, forgets the least recently used
  // and returns its server id, for the caller to COM_STMT_CLOSE; 0 when there is room. Call
  // until it returns 0 (after mysql-max_stmts_per_connection was lowered, more than one goes).
  uint32_t evictForOneMore(size_t max) {
    if (stmts_.size() < std::max<size_t>(max, 1)) {
      return 0;
    }
    auto lru = std::min_element(stmts_.begin(), stmts_.end(),
                                [](const auto& a, const auto& b) { return a.lastUse < b.lastUse; });
    uint32_t id = lru->serverId;
    stmts_.erase(lru);
    return id;
  }

  void add(uint64_t stmtId, uint32_t serverId) { stmts_.push_back({stmtId, serverId, ++clock_}); }
  // Forgets statement `stmtId` and returns its server id (for COM_STMT_CLOSE), or 0.
  uint32_t remove(uint64_t stmtId) {
    auto it = std::find_if(stmts_.begin(), stmts_.end(),
                           [stmtId](const Entry& e) { return e.stmtId == stmtId; });
    if (it == stmts_.end()) {
      return 0;
    }
    uint32_t id = it->serverId;
    stmts_.erase(it);
    return id;
  }
  // The server dropped them all (COM_RESET_CONNECTION, COM_CHANGE_USER).
  void clear() { stmts_.clear(); }
  size_t size() const { return stmts_.size(); }

 private:
  struct Entry {
    uint64_t stmtId;
    uint32_t serverId;
    uint64_t lastUse;
  };
  std::vector<Entry> stmts_;
  uint64_t clock_ = 0;
};

}  // namespace rwproxy::session

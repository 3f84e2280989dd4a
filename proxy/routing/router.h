#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "proxy/config/runtime.h"

namespace rwproxy::routing {

// Whether a server takes new connections right now beyond its configured status (the worker
// answers from the servers' shared health: a SHUNNED server does not, until its recovery time).
class ServerAvailability {
 public:
  virtual ~ServerAvailability() = default;
  virtual bool admits(const config::Server& server) = 0;
};

// Chooses a server of a hostgroup for new work. One per worker thread (owns its random state;
// no locks). The runtime must stay alive while a returned pointer is used.
class Router {
 public:
  // `availability`, when given, must outlive the router.
  explicit Router(uint64_t seed, ServerAvailability* availability = nullptr)
      : state_(seed | 1), availability_(availability) {}

  // A server of `hostgroup` that takes new work (ONLINE and not shunned), picked at random in
  // proportion to `weight`; servers listed in `exclude` (already failed for this query) are
  // skipped. nullptr when none is available.
  const config::Server* pick(const config::Runtime& runtime, int hostgroup,
                             const std::vector<const config::Server*>& exclude = {}) {
    return pick(runtime, hostgroup, exclude, [](const config::Server&) { return true; });
  }
  // The same, also skipping servers for which `hasRoom` is false (max_connections reached).
  template <typename HasRoom>
  const config::Server* pick(const config::Runtime& runtime, int hostgroup,
                             const std::vector<const config::Server*>& exclude, HasRoom hasRoom) {
    auto eligible = [&](const config::Server& s) {
      return s.hostgroupId == hostgroup && s.status == config::ServerStatus::Online &&
             s.weight > 0 && std::find(exclude.begin(), exclude.end(), &s) == exclude.end() &&
             (availability_ == nullptr || availability_->admits(s)) && hasRoom(s);
    };
    return pickWeighted(runtime, eligible);
  }

  // True when the hostgroup has any server at all (to tell "no such hostgroup" from "all down").
  static bool hostgroupExists(const config::Runtime& runtime, int hostgroup);

 private:
  uint64_t next();

  template <typename Eligible>
  const config::Server* pickWeighted(const config::Runtime& runtime, Eligible eligible) {
    uint64_t total = 0;
    for (const auto& s : runtime.servers) {
      if (eligible(s)) {
        total += static_cast<uint64_t>(s.weight);
      }
    }
    if (total == 0) {
      return nullptr;
    }
    uint64_t ticket = next() % total;
    for (const auto& s : runtime.servers) {
      if (!eligible(s)) {
        continue;
      }
      if (ticket < static_cast<uint64_t>(s.weight)) {
        return &s;
      }
      ticket -= static_cast<uint64_t>(s.weight);
    }
    return nullptr;
  }

  uint64_t state_;
  ServerAvailability* availability_;
};

}  // namespace rwproxy::routing

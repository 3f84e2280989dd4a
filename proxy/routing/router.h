#pragma once

#include <cstdint>
#include <vector>

#include "proxy/config/runtime.h"

namespace rwproxy::routing {

// Chooses a server of a hostgroup for new work. One per worker thread (owns its random state;
// no locks). The runtime must stay alive while a returned pointer is used.
class Router {
 public:
  explicit Router(uint64_t seed) : state_(seed | 1) {}

  // A server of `hostgroup` that takes new work (ONLINE), picked at random in proportion to
  // `weight`; servers listed in `exclude` (already failed for this query) are skipped.
  // nullptr when none is available.
  const config::Server* pick(const config::Runtime& runtime, int hostgroup,
                             const std::vector<const config::Server*>& exclude = {});

  // True when the hostgroup has any server at all (to tell "no such hostgroup" from "all down").
  static bool hostgroupExists(const config::Runtime& runtime, int hostgroup);

 private:
  uint64_t next();

  uint64_t state_;
};

}  // namespace rwproxy::routing

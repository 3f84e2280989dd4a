#include "proxy/routing/router.h"

#include <algorithm>

namespace rwproxy::routing {

uint64_t Router::next() {
  // xorshift64*: fast, good enough to spread load, no shared state.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1DULL;
}

const config::Server* Router::pick(const config::Runtime& runtime, int hostgroup,
                                   const std::vector<const config::Server*>& exclude) {
  auto eligible = [&](const config::Server& s) {
    return s.hostgroupId == hostgroup && s.status == config::ServerStatus::Online && s.weight > 0 &&
           std::find(exclude.begin(), exclude.end(), &s) == exclude.end();
  };
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

bool Router::hostgroupExists(const config::Runtime& runtime, int hostgroup) {
  return std::any_of(runtime.servers.begin(), runtime.servers.end(),
                     [&](const config::Server& s) { return s.hostgroupId == hostgroup; });
}

}  // namespace rwproxy::routing

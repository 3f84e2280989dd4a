#include "proxy/routing/router.h"

namespace rwproxy::routing {

uint64_t Router::next() {
  // xorshift64*: fast, good enough to spread load, no shared state.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1DULL;
}

bool Router::hostgroupExists(const config::Runtime& runtime, int hostgroup) {
  return std::any_of(runtime.servers.begin(), runtime.servers.end(),
                     [&](const config::Server& s) { return s.hostgroupId == hostgroup; });
}

}  // namespace rwproxy::routing

#pragma once

#include <atomic>
#include <cstdint>

namespace rwproxy::pool {

// Whether a backend server takes new connections, shared by every worker (atomics only: the
// router asks on each pick, so no lock).
//
//   ONLINE ──(mysql-shun_on_failures connect/login failures in one second)──▶ SHUNNED
//   SHUNNED ──(mysql-shun_recovery_time_sec passed)──▶ tried again (still shown as SHUNNED)
//   tried again ──(a connection succeeds)──▶ ONLINE ; ──(failures again)──▶ SHUNNED anew
//
// Only failures to open a connection count (refused, timed out, the server's error during the
// handshake); query errors never do. The clock is passed in (milliseconds on a monotonic clock,
// > 0) so the state machine can be tested without waiting.
class ServerHealth {
 public:
  // Counts one failed connect or login at `nowMs`. `shunOnFailures` failures within the same
  // second shun the server (0: never). Returns true when this call shunned it.
  bool recordFailure(uint64_t nowMs, int shunOnFailures, uint64_t recoveryMs) noexcept;
  // A connection to the server succeeded: it is ONLINE again.
  void recordSuccess() noexcept;
  // May a new connection be tried at `nowMs`? Yes when ONLINE, and when SHUNNED for at least
  // `recoveryMs`.
  bool admits(uint64_t nowMs, uint64_t recoveryMs) const noexcept;
  // SHUNNED for the stats: from the shunning until a connection succeeds.
  bool shunned() const noexcept { return shunnedSinceMs_.load(std::memory_order_relaxed) != 0; }

 private:
  // (second << kCountBits) | failures counted in that second.
  static constexpr int kCountBits = 20;
  std::atomic<uint64_t> window_{0};
  std::atomic<uint64_t> shunnedSinceMs_{0};  // 0: ONLINE
};

// mysql-shun_on_failures and mysql-shun_recovery_time_sec, set from each published snapshot.
struct HealthPolicy {
  std::atomic<int> shunOnFailures{5};
  std::atomic<uint64_t> recoveryMs{10000};
};

// Milliseconds on the monotonic clock libuv uses (the loops' clock), for the health checks.
uint64_t monotonicMs() noexcept;

}  // namespace rwproxy::pool

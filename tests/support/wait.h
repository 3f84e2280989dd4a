#pragma once

#include <chrono>
#include <thread>

namespace rwproxy::test {

// Polls `condition` until it holds or `timeout` passes; returns its last value. The way tests
// wait for something to happen elsewhere (replication, a process starting): bounded, generous
// timeouts, never a bare sleep.
template <typename Condition>
bool waitFor(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace rwproxy::test

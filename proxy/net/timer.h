#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

#include "proxy/net/loop.h"

namespace rwproxy::net {

// A repeating or one-shot libuv timer owning its handle (freed in the close callback).
class Timer {
 public:
  Timer(Loop& loop, std::function<void()> onFire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void start(uint64_t firstMs, uint64_t repeatMs = 0);
  void stop();

 private:
  static void onTimer(uv_timer_t* handle) noexcept;

  std::function<void()> onFire_;
  uv_timer_t* timer_;
};

// Milliseconds on the loop's clock (cached per loop iteration, cheap).
inline uint64_t nowMs(Loop& loop) { return uv_now(loop.raw()); }

}  // namespace rwproxy::net

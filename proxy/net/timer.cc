#include "proxy/net/timer.h"

namespace rwproxy::net {

Timer::Timer(Loop& loop, std::function<void()> onFire)
    : onFire_(std::move(onFire)), timer_(new uv_timer_t) {
  uv_timer_init(loop.raw(), timer_);
  timer_->data = this;
}

Timer::~Timer() {
  timer_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) noexcept { delete reinterpret_cast<uv_timer_t*>(h); });
}

void Timer::start(uint64_t firstMs, uint64_t repeatMs) {
  uv_timer_start(timer_, &Timer::onTimer, firstMs, repeatMs);
}

void Timer::stop() { uv_timer_stop(timer_); }

void Timer::onTimer(uv_timer_t* handle) noexcept {
  auto* self = static_cast<Timer*>(handle->data);
  if (self != nullptr) {
    self->onFire_();
  }
}

}  // namespace rwproxy::net

#include "proxy/net/loop.h"

#include <cstdio>
#include <cstdlib>

namespace rwproxy::net {

Loop::Loop()
    : async_(new uv_async_t), reaper_(new uv_idle_t), readBuffer_(new char[kReadBufferSize]) {
  if (uv_loop_init(&loop_) != 0 || uv_async_init(&loop_, async_, &Loop::onAsync) != 0 ||
      uv_idle_init(&loop_, reaper_) != 0) {
    std::fprintf(stderr, "rwproxy: cannot initialise an event loop\n");
    std::abort();
  }
  async_->data = this;
  reaper_->data = this;
  thread_ = std::this_thread::get_id();
}

Loop::~Loop() {
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(async_))) {
    async_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(async_),
             [](uv_handle_t* h) noexcept { delete reinterpret_cast<uv_async_t*>(h); });
  }
  reaper_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(reaper_),
           [](uv_handle_t* h) noexcept { delete reinterpret_cast<uv_idle_t*>(h); });
  // Let every pending close callback run so handles are freed, then close the loop.
  uv_run(&loop_, UV_RUN_DEFAULT);
  graveyard_.clear();
  uv_loop_close(&loop_);
}

void Loop::run() {
  thread_ = std::this_thread::get_id();
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Loop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  uv_async_send(async_);
}

void Loop::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  uv_async_send(async_);
}

void Loop::deferredDelete(std::unique_ptr<Deletable> object) {
  if (graveyard_.empty()) {
    // The idle handle empties the graveyard at the start of the next loop iteration (and keeps
    // that iteration's poll from blocking); unlike an async wakeup, it costs no system call.
    uv_idle_start(reaper_, &Loop::onReap);
  }
  graveyard_.push_back(std::move(object));
}

void Loop::onReap(uv_idle_t* handle) noexcept {
  auto* self = static_cast<Loop*>(handle->data);
  uv_idle_stop(handle);
  if (self != nullptr) {
    self->emptyGraveyard();
  }
}

void Loop::emptyGraveyard() {
  // A destructor may defer another deletion: never clear the vector it would push into.
  while (!graveyard_.empty()) {
    auto dead = std::move(graveyard_);
    graveyard_.clear();
    dead.clear();
  }
}

void Loop::onAsync(uv_async_t* handle) noexcept {
  auto* self = static_cast<Loop*>(handle->data);
  if (self != nullptr) {
    self->drainTasks();
  }
}

void Loop::drainTasks() {
  std::vector<std::function<void()>> tasks;
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    tasks.swap(tasks_);
    stopping = stopping_;
  }
  for (auto& task : tasks) {
    task();
  }
  emptyGraveyard();
  if (stopping) {
    uv_stop(&loop_);
  }
}

}  // namespace rwproxy::net

#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace rwproxy::net {

// Something a loop may delete later, outside the callback that decided to close it.
class Deletable {
 public:
  virtual ~Deletable() = default;
};

// One libuv loop and the facilities every object living on it shares: a cross-thread task queue
// (post), deferred deletion, and one scratch read buffer.
//
// Thread-safety: post() may be called from any thread; everything else only from the thread
// that runs the loop (checked with isOwnThread() where it matters).
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* raw() { return &loop_; }

  // Runs until stop() is called (or nothing is left to do). Records the running thread.
  void run();
  // Thread-safe: the loop stops after finishing its current callbacks.
  void stop();
  // Thread-safe: runs `task` on the loop's thread soon.
  void post(std::function<void()> task);

  // Deletes `object` after the current callback returns: a session is never freed inside its
  // own callback.
  void deferredDelete(std::unique_ptr<Deletable> object);

  bool isOwnThread() const { return std::this_thread::get_id() == thread_; }

  // The shared scratch buffer reads land in. Valid only during a read callback: every read
  // callback consumes or copies what it needs before returning, so idle connections own no
  // read buffer at all.
  std::span<char> readBuffer() { return {readBuffer_.get(), kReadBufferSize}; }

  static constexpr size_t kReadBufferSize = 64 * 1024;

 private:
  static void onAsync(uv_async_t* handle) noexcept;
  static void onReap(uv_idle_t* handle) noexcept;
  void drainTasks();
  void emptyGraveyard();

  uv_loop_t loop_;
  uv_async_t* async_;  // owned; freed in its close callback
  uv_idle_t* reaper_;  // owned; runs while the graveyard is not empty
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                     // GUARDED_BY(mutex_)
  std::vector<std::unique_ptr<Deletable>> graveyard_;
  std::unique_ptr<char[]> readBuffer_;
  std::thread::id thread_;
};

}  // namespace rwproxy::net

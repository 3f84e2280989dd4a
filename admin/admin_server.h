#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "admin/admin_executor.h"
#include "admin/admin_runtime.h"
#include "proxy/net/listener.h"
#include "proxy/net/loop.h"
#include "proxy/net/timer.h"

namespace rwproxy::admin {

class AdminSession;

// The admin endpoint: its own thread and loop, listeners on admin-mysql_ifaces, one
// AdminSession per connection, every statement run by the AdminExecutor on this thread.
class AdminServer {
 public:
  // REQUIRES: `executor` is used only through this server once start() was called.
  explicit AdminServer(AdminExecutor& executor);
  ~AdminServer();

  // Binds every "host:port" of `ifaces` (';'-separated). Returns "" or the error text.
  std::string listen(const std::string& ifaces);
  // The first bound port (useful with port 0).
  int port() const { return ports_.empty() ? 0 : ports_.front(); }
  void start();
  // Thread-safe: close the listeners and sessions and end the thread.
  void stop();

  // Admin-thread callbacks for sessions.
  AdminExecutor& executor() { return executor_; }
  net::Loop& loop() { return loop_; }
  std::string& scratch() { return scratch_; }
  void sessionClosed(AdminSession& session);
  uint32_t newSessionId() { return nextId_++; }

 private:
  void onAccept(uv_stream_t* server);
  void onTick();

  AdminExecutor& executor_;
  net::Loop loop_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::vector<int> ports_;
  std::unordered_map<AdminSession*, std::unique_ptr<AdminSession>> sessions_;
  std::string scratch_;
  uint32_t nextId_ = 1;
  std::unique_ptr<net::Timer> ticker_;
  std::thread thread_;
};

}  // namespace rwproxy::admin

#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "proxy/net/loop.h"

namespace rwproxy::net {

// Splits "host:port" ("0.0.0.0:6033", "[::1]:6033", "127.0.0.1:0"); false when malformed.
bool parseHostPort(const std::string& text, std::string& host, int& port);

// A listening TCP socket on a Loop. With reusePort, several loops each bind their own socket to
// the same address (SO_REUSEPORT) and the kernel spreads incoming connections among them.
class Listener {
 public:
  // Called for each pending connection; the callee accepts it with TcpStream::accept(server).
  using AcceptFn = std::function<void(uv_stream_t* server)>;

  Listener(Loop& loop, AcceptFn onAccept);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens; returns 0 or a negative errno / libuv error. `port` 0 picks a free one.
  int listen(const std::string& host, int port, bool reusePort, int backlog = 1024);
  // The port actually bound (useful with port 0).
  int boundPort() const;
  void close();

 private:
  static void onConnection(uv_stream_t* server, int status) noexcept;

  Loop& loop_;
  AcceptFn onAccept_;
  uv_tcp_t* tcp_ = nullptr;
};

}  // namespace rwproxy::net

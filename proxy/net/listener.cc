#include "proxy/net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace rwproxy::net {

bool parseHostPort(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) {
    return false;
  }
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, port);
  return ec == std::errc() && ptr == last && port >= 0 && port <= 65535;
}

Listener::Listener(Loop& loop, AcceptFn onAccept) : loop_(loop), onAccept_(std::move(onAccept)) {}

Listener::~Listener() { close(); }

int Listener::listen(const std::string& host, int port, bool reusePort, int backlog) {
  sockaddr_storage addr{};
  socklen_t addrLen;
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) == 0) {
    addrLen = sizeof(sockaddr_in);
  } else if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
    addrLen = sizeof(sockaddr_in6);
  } else {
    return UV_EINVAL;
  }
  // libuv 1.44 cannot set SO_REUSEPORT itself: make the socket here and hand it over.
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -errno;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reusePort) {
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  }
  // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one setsockopt here
  // instead of one per client (TcpStream::accept relies on it).
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), addrLen) != 0) {
    int err = -errno;
    ::close(fd);
    return err;
  }
  tcp_ = new uv_tcp_t;
  uv_tcp_init(loop_.raw(), tcp_);
  tcp_->data = this;
  int rc = uv_tcp_open(tcp_, fd);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp_), backlog, &Listener::onConnection);
  }
  if (rc != 0) {
    close();
  }
  return rc;
}

int Listener::boundPort() const {
  if (tcp_ == nullptr) {
    return 0;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getsockname(tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return 0;
  }
  if (ss.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

void Listener::onConnection(uv_stream_t* server, int status) noexcept {
  auto* self = static_cast<Listener*>(server->data);
  if (self == nullptr || status < 0) {
    return;
  }
  self->onAccept_(server);
}

void Listener::close() {
  if (tcp_ == nullptr) {
    return;
  }
  tcp_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(tcp_),
           [](uv_handle_t* h) noexcept { delete reinterpret_cast<uv_tcp_t*>(h); });
  tcp_ = nullptr;
}

}  // namespace rwproxy::net

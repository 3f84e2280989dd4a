#include "proxy/net/tcp_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cstring>

namespace rwproxy::net {

struct TcpStream::WriteOp {
  uv_write_t req;
  std::string buffer;
  TcpStream* owner;
};

struct TcpStream::ConnectOp {
  uv_connect_t req;
  TcpStream* owner;
};

struct TcpStream::ResolveOp {
  uv_getaddrinfo_t req;
  TcpStream* owner;
  int port;
};

namespace {

void freeTcp(uv_handle_t* handle) noexcept { delete reinterpret_cast<uv_tcp_t*>(handle); }

bool formatAddress(const sockaddr_storage& ss, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(in, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(in6, text, sizeof text);
    port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  ip = text;
  return true;
}

}  // namespace

TcpStream::TcpStream(Loop& loop, StreamHandler& handler)
    : loop_(&loop), handler_(handler), tcp_(new uv_tcp_t) {
  uv_tcp_init(loop.raw(), tcp_);
  tcp_->data = this;
}

TcpStream::~TcpStream() { close(); }

int TcpStream::accept(uv_stream_t* server) {
  int rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(tcp_));
#ifndef __linux__
  if (rc == 0) {
    uv_tcp_nodelay(tcp_, 1);  // Linux: inherited from the listener (see Listener::listen)
  }
#endif
  return rc;
}

int TcpStream::connect(const std::string& host, int port) {
  sockaddr_storage addr{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) == 0 ||
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
    return connectTo(reinterpret_cast<const sockaddr*>(&addr));
  }
  // A host name (mysql_servers.hostname often is one): resolve it off the loop thread.
  auto* op = new ResolveOp{{}, this, port};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = uv_getaddrinfo(loop_->raw(), &op->req, &TcpStream::onResolvedCb, host.c_str(), nullptr,
                          &hints);
  if (rc != 0) {
    delete op;
    return rc;
  }
  resolveOp_ = op;
  return 0;
}

void TcpStream::onResolvedCb(uv_getaddrinfo_t* req, int status, addrinfo* result) noexcept {
  auto* op = reinterpret_cast<ResolveOp*>(req);
  TcpStream* self = op->owner;
  int port = op->port;
  delete op;
  if (self == nullptr) {
    uv_freeaddrinfo(result);
    return;  // closed meanwhile
  }
  self->resolveOp_ = nullptr;
  int rc = status;
  if (rc == 0) {
    // IPv4 first: database servers commonly listen on IPv4 only, while resolvers often list
    // ::1 before 127.0.0.1 for "localhost". One address is tried; a failure is reported.
    addrinfo* chosen = nullptr;
    for (int family : {AF_INET, AF_INET6}) {
      for (addrinfo* ai = result; ai != nullptr && chosen == nullptr; ai = ai->ai_next) {
        if (ai->ai_family == family) {
          chosen = ai;
        }
      }
    }
    if (chosen == nullptr) {
      rc = UV_EAI_NONAME;
    } else {
      if (chosen->ai_family == AF_INET) {
        reinterpret_cast<sockaddr_in*>(chosen->ai_addr)->sin_port =
            htons(static_cast<uint16_t>(port));
      } else {
        reinterpret_cast<sockaddr_in6*>(chosen->ai_addr)->sin6_port =
            htons(static_cast<uint16_t>(port));
      }
      rc = self->connectTo(chosen->ai_addr);
    }
  }
  uv_freeaddrinfo(result);
  if (rc != 0) {
    self->handler_.onConnected(rc);
  }
}

int TcpStream::connectTo(const sockaddr* addr) {
  auto* op = new ConnectOp{{}, this};
  int rc = uv_tcp_connect(&op->req, tcp_, addr, &TcpStream::onConnectCb);
  if (rc != 0) {
    delete op;
    return rc;
  }
  connectOp_ = op;
  return 0;
}

void TcpStream::onConnectCb(uv_connect_t* req, int status) noexcept {
  auto* op = reinterpret_cast<ConnectOp*>(req);
  TcpStream* self = op->owner;
  delete op;
  if (self == nullptr) {
    return;  // closed meanwhile
  }
  self->connectOp_ = nullptr;
  if (status == 0) {
    uv_tcp_nodelay(self->tcp_, 1);
  }
  self->handler_.onConnected(status);
}

void TcpStream::startReading() {
  if (tcp_ == nullptr || reading_) {
    return;
  }
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(tcp_), &TcpStream::onAlloc,
                    &TcpStream::onReadCb) == 0) {
    reading_ = true;
  }
}

void TcpStream::stopReading() {
  if (tcp_ != nullptr && reading_) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_));
    reading_ = false;
  }
}

void TcpStream::onAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) noexcept {
  auto* self = static_cast<TcpStream*>(handle->data);
  auto scratch = self->loop_->readBuffer();
  *buf = uv_buf_init(scratch.data(), static_cast<unsigned>(scratch.size()));
}

void TcpStream::onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<TcpStream*>(stream->data);
  if (self == nullptr) {
    return;
  }
  if (nread > 0) {
    self->handler_.onRead(
        {reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread)});
  } else if (nread < 0) {
    self->fail(nread == UV_EOF ? 0 : static_cast<int>(nread));
  }
}

size_t TcpStream::pendingBytes() const {
  return queued_.size() + (writeOp_ != nullptr ? writeOp_->buffer.size() : 0);
}

bool TcpStream::write(std::span<const uint8_t> data) {
  if (tcp_ == nullptr) {
    return false;
  }
  if (data.empty()) {
    return true;
  }
  if (writeOp_ == nullptr) {
    uv_buf_t buf = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(data.data())),
                               static_cast<unsigned>(data.size()));
    int written = uv_try_write(reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1);
    if (written == static_cast<int>(data.size())) {
      return true;
    }
    if (written < 0 && written != UV_EAGAIN) {
      // The read side reports the failure (or the next write does); keep callbacks ordered.
      return false;
    }
    if (written > 0) {
      data = data.subspan(static_cast<size_t>(written));
    }
  }
  queued_.append(reinterpret_cast<const char*>(data.data()), data.size());
  if (writeOp_ == nullptr) {
    startWrite();
  }
  return true;
}

void TcpStream::startWrite() {
  auto* op = new WriteOp{{}, std::move(queued_), this};
  queued_.clear();
  uv_buf_t buf = uv_buf_init(op->buffer.data(), static_cast<unsigned>(op->buffer.size()));
  if (uv_write(&op->req, reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1, &TcpStream::onWriteCb) !=
      0) {
    delete op;
    return;
  }
  writeOp_ = op;
}

void TcpStream::onWriteCb(uv_write_t* req, int status) noexcept {
  auto* op = reinterpret_cast<WriteOp*>(req);
  TcpStream* self = op->owner;
  delete op;
  if (self == nullptr) {
    return;
  }
  self->writeOp_ = nullptr;
  if (status < 0) {
    self->fail(status);
    return;
  }
  if (!self->queued_.empty()) {
    self->startWrite();
  } else {
    self->queued_.shrink_to_fit();  // an idle connection keeps no buffer
    self->handler_.onDrained();
  }
}

void TcpStream::fail(int uvError) {
  close();
  handler_.onClosed(uvError);
}

void TcpStream::detachRequests() {
  if (writeOp_ != nullptr) {
    writeOp_->owner = nullptr;
    writeOp_ = nullptr;
  }
  if (connectOp_ != nullptr) {
    connectOp_->owner = nullptr;
    connectOp_ = nullptr;
  }
  if (resolveOp_ != nullptr) {
    resolveOp_->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolveOp_->req));  // its callback still frees it
    resolveOp_ = nullptr;
  }
}

void TcpStream::close() {
  if (tcp_ == nullptr) {
    return;
  }
  detachRequests();
  tcp_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(tcp_), &freeTcp);
  tcp_ = nullptr;
  reading_ = false;
  queued_.clear();
  queued_.shrink_to_fit();
}

void TcpStream::reset() {
  if (tcp_ == nullptr) {
    return;
  }
  detachRequests();
  tcp_->data = nullptr;
  if (uv_tcp_close_reset(tcp_, &freeTcp) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(tcp_), &freeTcp);
  }
  tcp_ = nullptr;
  reading_ = false;
  queued_.clear();
}

int TcpStream::release() {
  if (tcp_ == nullptr || writeOp_ != nullptr || connectOp_ != nullptr || resolveOp_ != nullptr ||
      !queued_.empty()) {
    return -1;
  }
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(tcp_), &fd) != 0) {
    return -1;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    return -1;
  }
  // uv_close takes the original out of this loop's epoll set before closing it, so the copy is
  // never reported here again.
  close();
  return copy;
}

int TcpStream::adopt(Loop& loop, int fd) {
  close();
  loop_ = &loop;
  auto* tcp = new uv_tcp_t;
  int rc = uv_tcp_init(loop.raw(), tcp);
  if (rc == 0) {
    rc = uv_tcp_open(tcp, fd);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(tcp), &freeTcp);
    }
  } else {
    delete tcp;
  }
  if (rc != 0) {
    ::close(fd);
    return rc;
  }
  tcp->data = this;
  tcp_ = tcp;
  return 0;
}

bool TcpStream::peer(std::string& ip, int& port) const {
  if (tcp_ == nullptr) {
    return false;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return false;
  }
  return formatAddress(ss, ip, port);
}

bool TcpStream::local(std::string& ip, int& port) const {
  if (tcp_ == nullptr) {
    return false;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getsockname(tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return false;
  }
  return formatAddress(ss, ip, port);
}

std::string TcpStream::peerAddress() const {
  std::string ip;
  int port = 0;
  if (!peer(ip, port)) {
    return "";
  }
  return ip + ":" + std::to_string(port);
}

}  // namespace rwproxy::net

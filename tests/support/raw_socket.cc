#include "tests/support/raw_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace rwproxy::test {

namespace {

// A blocking loopback connection whose reads give up after `timeoutSeconds`; -1 on failure.
int connectLoopback(int port, int timeoutSeconds) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  timeval tv{timeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

bool sendRawBytes(int port, const std::string& bytes, bool readGreeting) {
  int fd = connectLoopback(port, 10);
  if (fd < 0) {
    return false;
  }
  if (readGreeting) {
    char buf[512];
    (void)::recv(fd, buf, sizeof buf, 0);
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  // The peer sees end-of-stream after our bytes, as when a client dies mid-packet.
  ::shutdown(fd, SHUT_WR);
  // Read whatever the proxy answers until it closes or the timeout passes.
  char sink[512];
  while (::recv(fd, sink, sizeof sink, 0) > 0) {
  }
  ::close(fd);
  return true;
}

bool waitForServerClose(int port, int timeoutSeconds) {
  int fd = connectLoopback(port, timeoutSeconds);
  if (fd < 0) {
    return false;
  }
  char buf[512];
  bool closed = false;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
      closed = true;
      break;
    }
    if (n < 0) {
      break;  // timeout
    }
  }
  ::close(fd);
  return closed;
}

}  // namespace rwproxy::test

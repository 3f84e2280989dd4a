// TcpStream and Listener on real loopback sockets: accepted sockets have TCP_NODELAY (inherited
// from the listener), and a connection moves from one loop to another without losing bytes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "proxy/net/listener.h"
#include "proxy/net/loop.h"
#include "proxy/net/tcp_stream.h"

using namespace rwproxy::net;

namespace {

struct Recorder : StreamHandler {
  std::string received;
  int closedWith = 1;  // 1: not closed
  void onRead(std::span<const uint8_t> data) override {
    received.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void onClosed(int uvError) override { closedWith = uvError; }
};

// Runs `loop` until `done` holds (bounded: a broken stream must fail the test, not hang it).
template <typename Condition>
bool runUntil(Loop& loop, Condition done) {
  for (int i = 0; i < 20000 && !done(); ++i) {
    uv_run(loop.raw(), UV_RUN_NOWAIT);
    usleep(100);
  }
  return done();
}

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

}  // namespace

TEST_CASE("an accepted connection moves to another loop and keeps its bytes in order") {
  Loop first;
  Loop second;
  Recorder handler;
  auto stream = std::make_unique<TcpStream>(first, handler);
  bool accepted = false;
  Listener listener(first, [&](uv_stream_t* server) {
    REQUIRE(stream->accept(server) == 0);
    accepted = true;
  });
  REQUIRE(listener.listen("127.0.0.1", 0, false) == 0);
  int client = connectTo(listener.boundPort());
  REQUIRE(runUntil(first, [&] { return accepted; }));

  std::string ip;
  int port = 0;
  REQUIRE(stream->peer(ip, port));
  CHECK(ip == "127.0.0.1");
  stream->startReading();
  REQUIRE(::write(client, "one", 3) == 3);
  REQUIRE(runUntil(first, [&] { return handler.received == "one"; }));

  int serverSide = stream->release();
  REQUIRE(serverSide >= 0);
  CHECK_FALSE(stream->isOpen());
  // TCP_NODELAY without a setsockopt per client: the listener's is inherited.
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  REQUIRE(getsockopt(serverSide, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length) == 0);
  CHECK(nodelay == 1);

  // Bytes sent while the socket is between loops wait in the kernel.
  REQUIRE(::write(client, "two", 3) == 3);
  REQUIRE(stream->adopt(second, serverSide) == 0);
  CHECK(stream->isOpen());
  stream->startReading();
  REQUIRE(runUntil(second, [&] { return handler.received == "onetwo"; }));
  // The old loop no longer watches the socket.
  REQUIRE(::write(client, "three", 5) == 5);
  uv_run(first.raw(), UV_RUN_NOWAIT);
  REQUIRE(runUntil(second, [&] { return handler.received == "onetwothree"; }));

  // Replies go out from the new loop.
  CHECK(stream->write(std::string_view("back")));
  char buffer[8] = {};
  REQUIRE(::read(client, buffer, sizeof buffer) == 4);
  CHECK(std::string(buffer, 4) == "back");

  ::close(client);
  REQUIRE(runUntil(second, [&] { return handler.closedWith != 1; }));
  CHECK(handler.closedWith == 0);  // a clean EOF
  stream.reset();
  listener.close();
}

TEST_CASE("a stream with a write in flight or no socket cannot be released") {
  Loop loop;
  Recorder handler;
  TcpStream stream(loop, handler);
  CHECK(stream.release() == -1);  // never connected: nothing to hand over
  stream.close();
  CHECK(stream.release() == -1);
}

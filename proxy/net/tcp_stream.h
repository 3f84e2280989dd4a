#pragma once

#include <uv.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "proxy/net/loop.h"

namespace rwproxy::net {

// Receives a stream's events, one at a time. Callbacks may close the stream, but must not
// delete it (or its owner) directly: use Loop::deferredDelete.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // Bytes arrived; `data` points into the loop's scratch buffer and is valid only during the call.
  virtual void onRead(std::span<const uint8_t> data) = 0;
  // Everything queued with write() has reached the kernel.
  virtual void onDrained() {}
  // The peer closed, or an error happened (`uvError` < 0, 0 for a clean EOF). Not called after
  // close().
  virtual void onClosed(int uvError) = 0;
  // connect() finished: `uvError` 0 on success.
  virtual void onConnected(int /*uvError*/) {}
};

// A TCP connection on a Loop. Owns its uv_tcp_t (freed in the close callback, so the stream
// object itself may go away right after close()). Writes are copied only when the kernel does
// not take them at once (uv_try_write first), so an idle stream holds no buffer.
class TcpStream {
 public:
  // REQUIRES: `handler` outlives the stream or the stream is closed first.
  TcpStream(Loop& loop, StreamHandler& handler);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // For a server: accept a pending connection of `server` into this stream.
  int accept(uv_stream_t* server);
  // For a client: connect to host:port (an IPv4 or IPv6 address, or a name resolved
  // asynchronously). onConnected follows unless this returns an error.
  int connect(const std::string& host, int port);

  void startReading();
  void stopReading();
  bool reading() const { return reading_; }

  // Queues bytes for sending; false when the stream is closed.
  bool write(std::span<const uint8_t> data);
  bool write(std::string_view data) {
    return write({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  }
  // Bytes handed to write() that the kernel has not taken yet.
  size_t pendingBytes() const;

  // Closes now; no handler callback follows. Idempotent.
  void close();
  // Closes with a TCP RST instead of a FIN (for a backend connection we must not reuse).
  void reset();
  bool isOpen() const { return tcp_ != nullptr; }

  // Moving a connection to another loop (another worker thread): release() hands over a
  // duplicate of the socket and closes the handle here (no callback follows); the stream is
  // closed afterwards. It returns -1 when the socket cannot move (a write or connect in
  // progress, a closed stream, dup failing). adopt() makes a closed stream own `fd` on `loop`;
  // it returns 0 or a libuv error (then `fd` is closed and the stream stays closed).
  int release();
  int adopt(Loop& loop, int fd);

  // "host:port" of the peer, or "" when unknown.
  std::string peerAddress() const;
  // Peer IP and port, for stats and client_addr rules.
  bool peer(std::string& ip, int& port) const;
  bool local(std::string& ip, int& port) const;

  Loop& loop() { return *loop_; }

 private:
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
  static void onReadCb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onWriteCb(uv_write_t* req, int status) noexcept;
  static void onConnectCb(uv_connect_t* req, int status) noexcept;
  static void onResolvedCb(uv_getaddrinfo_t* req, int status, addrinfo* result) noexcept;
  int connectTo(const sockaddr* addr);
  struct WriteOp;
  struct ConnectOp;
  struct ResolveOp;
  void startWrite();
  void fail(int uvError);
  void detachRequests();

  Loop* loop_;
  StreamHandler& handler_;
  uv_tcp_t* tcp_;
  // The one uv_write in progress (owns its buffer), and a pending connect. Both are heap
  // objects that outlive a close: libuv calls their callbacks after uv_close.
  WriteOp* writeOp_ = nullptr;
  ConnectOp* connectOp_ = nullptr;
  ResolveOp* resolveOp_ = nullptr;
  std::string queued_;  // bytes waiting for the write in progress to finish
  bool reading_ = false;
};

}  // namespace rwproxy::net

#include "proxy/session/server_kill.h"

#include "proxy/protocol/command.h"
#include "proxy/protocol/packet.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// A side connection runs one KILL: no session tracking step before it.
BackendIdentity sideConnection(BackendIdentity target) {
  target.trackVariables = false;
  return target;
}

}  // namespace

ServerKill::ServerKill(net::Loop& loop, const BackendIdentity& target,
                       const BackendCredentials& credentials, uint32_t threadId, bool queryOnly,
                       uint64_t timeoutMs, std::function<void()> done)
    : connection_(std::make_unique<BackendConnection>(loop, sideConnection(target), "")),
      threadId_(threadId),
      queryOnly_(queryOnly),
      done_(std::move(done)) {
  connection_->connect(credentials, timeoutMs, *this);
}

void ServerKill::onBackendReady(BackendConnection& backend) {
  std::string out;
  size_t header = p::beginPacket(out);
  p::encodeQuery(out,
                 (queryOnly_ ? "KILL QUERY " : "KILL CONNECTION ") + std::to_string(threadId_));
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  backend.execute(p::asBytes(out), ReplyShape::OkOrError, *this);
}

void ServerKill::onBackendFailed(BackendConnection&, const p::Error&) { finish(); }

void ServerKill::onBackendReplyDone(BackendConnection&) { finish(); }

void ServerKill::finish() {
  if (done_) {
    auto done = std::move(done_);
    done_ = nullptr;
    connection_->close();
    done();
  }
}

}  // namespace rwproxy::session

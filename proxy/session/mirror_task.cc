#include "proxy/session/mirror_task.h"

#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/packet.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

MirrorTask::MirrorTask(net::Loop& loop, pool::BackendPool& pool, BackendIdentity identity,
                       std::string schema, const BackendCredentials& credentials, std::string query,
                       bool stateless, uint64_t connectTimeoutMs, pool::ServerSlot slot,
                       std::function<void()> done)
    : loop_(loop),
      pool_(pool),
      query_(std::move(query)),
      stateless_(stateless),
      done_(std::move(done)) {
  // Only a connection already on the right schema, with no session variables set, will do: a
  // mirror never syncs a connection.
  backend_ = pool_.acquire(identity, schema, SessionVars());
  if (backend_ && (backend_->schema() != schema || !backend_->vars().empty())) {
    pool_.release(std::move(backend_));
  }
  if (backend_) {
    // Not from inside the constructor: the owner must have stored us first.
    loop_.post([this] { send(); });
    return;
  }
  if (!slot) {
    loop_.post([this] { finish(); });  // the server is at max_connections: drop the mirror
    return;
  }
  backend_ = std::make_unique<BackendConnection>(loop_, std::move(identity), std::move(schema));
  backend_->setSlot(std::move(slot));
  backend_->connect(credentials, connectTimeoutMs, *this);
}

void MirrorTask::onBackendReady(BackendConnection&) { send(); }

void MirrorTask::send() {
  if (!backend_ || !done_) {
    return;
  }
  std::string out;
  size_t header = p::beginPacket(out);
  p::encodeQuery(out, query_);
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  backend_->execute(p::asBytes(out), ReplyShape::ResultSets, *this);
}

void MirrorTask::onBackendFailed(BackendConnection&, const p::Error&) {
  if (backend_) {
    loop_.deferredDelete(std::move(backend_));
  }
  finish();
}

void MirrorTask::onBackendReplyDone(BackendConnection& backend) {
  bool clean = stateless_ && (backend.tracker().statusFlags() & p::kServerStatusInTrans) == 0;
  if (clean) {
    pool_.release(std::move(backend_));
  } else {
    backend_->close();
    loop_.deferredDelete(std::move(backend_));
  }
  finish();
}

void MirrorTask::finish() {
  if (done_) {
    auto done = std::move(done_);
    done_ = nullptr;
    done();
  }
}

}  // namespace rwproxy::session

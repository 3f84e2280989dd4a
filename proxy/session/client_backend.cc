// The backend half of ClientSession: borrowing or opening a backend connection, bringing it to
// the client's schema, forwarding a command and streaming its reply back.
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/session/client_session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// A client that reads slower than the server sends: stop reading the server beyond this much
// unsent data, so a huge result streams through in bounded memory.
constexpr size_t kMaxPendingToClient = 1024 * 1024;

}  // namespace

void ClientSession::forward(p::Bytes payload, ReplyShape shape) {
  shape_ = shape;
  forwardedAny_ = false;
  failedServers_.clear();
  // Frame the command as the client sent it (sequence 0); kept only while we must wait.
  std::string& framed = backend_ && backend_->ready() && backend_->schema() == schema_
                            ? context_.scratch()
                            : pending_;
  framed.clear();
  uint8_t seq = 0;
  p::appendPacket(framed, seq, payload);
  if (&framed == &context_.scratch()) {
    state_ = State::Executing;
    backend_->execute(p::asBytes(framed), shape_, *this);
    return;
  }
  state_ = State::Connecting;
  startBackend();
}

void ClientSession::startBackend() {
  if (backend_ && backend_->ready()) {
    sendToBackend();
    return;
  }
  commandRuntime_ = context_.runtime();
  // A server at max_connections still serves from its idle connections; checking the pool
  // costs a scan, so only then.
  auto hasRoom = [this](const config::Server& s) {
    return context_.serverCounter(s)->load(std::memory_order_relaxed) < s.maxConnections ||
           (!fastForward_ && context_.pool().hasIdle(identityFor(s)));
  };
  const config::Server* server =
      context_.router().pick(*commandRuntime_, hostgroup_, failedServers_, hasRoom);
  if (server == nullptr) {
    backendLost(p::Error{
        9001, "HY000",
        "Max connect timeout reached while reaching hostgroup " + std::to_string(hostgroup_) +
            " after " + std::to_string(net::nowMs(context_.loop()) - commandStartMs_) +
            "ms: no ONLINE server " +
            (failedServers_.empty() ? std::string("with free connections in it") : "left to try")});
    return;
  }
  BackendIdentity identity = identityFor(*server);
  if (!fastForward_) {
    auto pooled = context_.pool().acquire(identity, schema_);
    if (pooled) {
      backend_ = std::move(pooled);
      sendToBackend();
      return;
    }
  }
  failedServers_.push_back(server);
  auto slot = pool::ServerSlot::tryReserve(context_.serverCounter(*server), server->maxConnections);
  if (!slot) {
    startBackend();  // another worker took the last slot meanwhile: try the next server
    return;
  }
  backend_ = std::make_unique<BackendConnection>(context_.loop(), std::move(identity), schema_);
  backend_->setSlot(std::move(slot));
  backend_->connect(credentials_,
                    static_cast<uint64_t>(commandRuntime_->mysql.connectTimeoutServerMs), *this);
}

void ClientSession::onBackendReady(BackendConnection&) {
  if (fastForward_ && state_ == State::Connecting && pending_.empty()) {
    // fast_forward login: the client may proceed; from now on bytes pass through untouched.
    state_ = State::Piping;
    backend_->startPiping();
    writeOk(loginOkSeq_);
    stream_.startReading();
    return;
  }
  failedServers_.clear();
  sendToBackend();
}

void ClientSession::sendToBackend() {
  if (backend_->schema() != schema_ && !schema_.empty()) {
    state_ = State::SyncingSchema;
    syncReply_.clear();
    std::string& out = context_.scratch();
    out.clear();
    size_t header = p::beginPacket(out);
    p::encodeInitDb(out, schema_);
    uint8_t seq = 0;
    p::endPacket(out, header, seq);
    backend_->execute(p::asBytes(out), ReplyShape::OkOrError, *this);
    return;
  }
  state_ = State::Executing;
  backend_->execute(p::asBytes(pending_), shape_, *this);
  if (pending_.capacity() > 16 * 1024) {
    std::string().swap(pending_);  // do not keep a big query's buffer
  }
}

void ClientSession::onBackendReply(BackendConnection& backend, p::Bytes bytes) {
  if (state_ == State::SyncingSchema) {
    syncReply_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return;
  }
  forwardedAny_ = true;
  if (cacheCapture_.active()) {
    cacheCapture_.append(bytes);
  }
  writeRaw(bytes);
  if (stream_.pendingBytes() > kMaxPendingToClient) {
    backend.pauseReading();  // resumed by onDrained
  }
}

void ClientSession::onBackendReplyDone(BackendConnection& backend) {
  const ReplyTracker& t = backend.tracker();
  if (state_ == State::SyncingSchema) {
    if (t.failed()) {
      // The client's schema is gone on this server: answer the command with the server's error.
      p::Bytes reply = p::asBytes(syncReply_);
      auto err = reply.size() > 4 ? p::ErrPacket::decode(reply.subspan(4), backend.capabilities())
                                  : p::Result<p::ErrPacket>(p::Error::malformed("empty reply"));
      writeError(err ? err->toError() : err.error(), 1);
      releaseBackend();
      finishCommand();
      return;
    }
    backend.setSchema(schema_);
    syncReply_.clear();
    sendToBackend();
    return;
  }
  if (cacheCapture_.active()) {
    storeInCache(backend);
  }
  if (shape_ == ReplyShape::ResultSets && (trackQuery_ || logQuery_)) {
    recordQuery(backend);
  }
  if (!t.failed() && !pendingSchema_.empty()) {
    schema_ = pendingSchema_;
    backend.setSchema(schema_);
  }
  pendingSchema_.clear();
  if (t.statusFlags() != 0) {
    // The server's word on the transaction, not a guess from the statement text. An ERR
    // carries no status; the state is unchanged then.
    inTransaction_ = (t.statusFlags() & p::kServerStatusInTrans) != 0;
    autocommitOff_ = (t.statusFlags() & p::kServerStatusAutocommit) == 0;
  }
  if (!t.failed() && pinReason_[0] == '\0') {
    if (!statementStateless_) {
      pinReason_ = statementReason_;
    } else if (t.lastInsertId() != 0) {
      pinReason_ = "last_insert_id";  // LAST_INSERT_ID() must see this connection
    }
  }
  releaseBackend();
  finishCommand();
}

void ClientSession::recordQuery(const BackendConnection& backend) {
  const ReplyTracker& t = backend.tracker();
  uint64_t durationUs = (uv_hrtime() - queryStartNs_) / 1000;
  const BackendIdentity& id = backend.identity();
  if (trackQuery_) {
    context_.recordQuery({id.hostgroup, schema_, user_, "", queryDigest_}, durationUs,
                         t.affectedRows(), t.rowCount());
    trackQuery_ = false;
  }
  if (logQuery_) {
    char server[128];
    int n = std::snprintf(server, sizeof server, "%s:%d", id.host.c_str(), id.port);
    // snprintf returns the untruncated length: never view past the buffer for a long host.
    size_t length = n < 0 ? 0 : std::min(static_cast<size_t>(n), sizeof server - 1);
    logQueryEvent(id.hostgroup, std::string_view(server, length), durationUs, t.rowCount(),
                  t.affectedRows());
  }
}

void ClientSession::logQueryEvent(int hostgroup, std::string_view server, uint64_t durationUs,
                                  uint64_t rowsSent, uint64_t rowsAffected) {
  stats::LogEvent event;
  event.timeUnixUs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  event.username = user_;
  event.schemaname = schema_;
  event.client = clientHost_;
  event.hostgroup = hostgroup;
  event.server = server;
  event.durationUs = durationUs;
  event.rowsSent = rowsSent;
  event.rowsAffected = rowsAffected;
  event.digest = queryDigest_;
  event.query = loggedQuery_;
  context_.logEvent(event);
  logQuery_ = false;
  std::string().swap(loggedQuery_);
}

void ClientSession::finishCommand() {
  cacheCapture_.reset();
  commandRuntime_.reset();
  failedServers_.clear();
  if (state_ == State::Closed) {
    return;
  }
  state_ = State::Idle;
  lastActivityMs_ = net::nowMs(context_.loop());
  if (closeWhenIdle_) {
    close();
    return;
  }
  drainBuffered();
  if (state_ == State::Idle) {
    stream_.startReading();
  }
}

void ClientSession::onBackendFailed(BackendConnection& backend, const p::Error& error) {
  (void)backend;
  bool loginError = error.code == 1045 || error.code == 1044 || error.code == 1049 ||
                    error.code == 1226 || error.code == 1251;
  // Only a connection that never took the command is retried: once a command was sent, the
  // server may have run it, and running a write twice is worse than an error.
  bool retryable = state_ == State::Connecting && !loginError;
  if (backend_) {
    context_.loop().deferredDelete(std::move(backend_));
  }
  if (retryable && !fastForward_) {
    uint64_t elapsed = net::nowMs(context_.loop()) - commandStartMs_;
    if (elapsed < static_cast<uint64_t>(context_.runtime()->mysql.connectTimeoutServerMaxMs)) {
      state_ = State::Connecting;
      startBackend();
      return;
    }
  }
  if (state_ == State::Connecting && !loginError) {
    backendLost(p::Error{9001, "HY000",
                         "Max connect timeout reached while reaching hostgroup " +
                             std::to_string(hostgroup_) + " after " +
                             std::to_string(net::nowMs(context_.loop()) - commandStartMs_) +
                             "ms: " + error.message});
    return;
  }
  backendLost(error);
}

void ClientSession::backendLost(const p::Error& error) {
  if (backend_) {
    context_.loop().deferredDelete(std::move(backend_));
  }
  bool midReply = forwardedAny_;
  // Whatever the connection held (transaction, variables) is gone with it.
  inTransaction_ = false;
  autocommitOff_ = false;
  pinReason_ = "";
  if (fastForward_ && state_ == State::Connecting) {
    writeError(error, loginOkSeq_);  // the login itself fails
    close();
    return;
  }
  if (fastForward_ || midReply || state_ == State::Piping) {
    // The client is somewhere inside a reply: an ERR could be misread. Tell it the only safe way.
    close();
    return;
  }
  writeError(error, 1);
  finishCommand();
}

void ClientSession::releaseBackend() {
  if (!backend_) {
    return;
  }
  bool keep = inTransaction_ || autocommitOff_ || pinReason_[0] != '\0' ||
              !context_.runtime()->mysql.multiplexing;
  if (keep && backend_->ready()) {
    return;
  }
  dropBackend();
}

void ClientSession::dropBackend() {
  if (!backend_) {
    return;
  }
  if (inTransaction_ || autocommitOff_ || pinReason_[0] != '\0' || fastForward_ ||
      !backend_->ready()) {
    // Its session state belongs to this client alone: never lend it to another.
    backend_->close();
    context_.loop().deferredDelete(std::move(backend_));
    return;
  }
  context_.pool().release(std::move(backend_));
}

void ClientSession::kill(bool queryOnly) {
  if (backend_ && (state_ == State::Executing || state_ == State::Piping)) {
    context_.killOnServer(backend_->identity(), credentials_, backend_->serverThreadId(),
                          queryOnly);
  }
  if (!queryOnly) {
    if (state_ == State::Executing && !forwardedAny_) {
      writeError(p::Error{1317, "70100", "Query execution was interrupted"}, 1);
    }
    close();
  }
}

}  // namespace rwproxy::session

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

void ClientSession::forward(p::Bytes payload, ReplyShape shape) {
  shape_ = shape;
  forwardedAny_ = false;
  failedServers_.clear();
  // Frame the command as the client sent it (sequence 0); kept only while we must wait.
  std::string& framed =
      backend_ && backend_->ready() && backendInSync() ? context_.scratch() : pending_;
  framed.clear();
  uint8_t seq = 0;
  p::appendPacket(framed, seq, payload);
  if (&framed == &context_.scratch()) {
    patchStatementId(framed);
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
    pool::ServerStats* stats = context_.serverCounter(s);
    return stats->load(std::memory_order_relaxed) < s.maxConnections ||
           (!fastForward_ && (stats->shared->parked.load(std::memory_order_relaxed) > 0 ||
                              context_.pool().hasIdle(identityFor(s))));
  };
  const config::Server* server =
      context_.router().pick(*commandRuntime_, hostgroup_, failedServers_, hasRoom);
  if (server == nullptr && failedServers_.empty() &&
      context_.router().pick(*commandRuntime_, hostgroup_) != nullptr) {
    waitForFullServers();  // servers are up but full
    return;
  }
  if (server == nullptr) {
    backendLost(p::Error{
        9001, "HY000",
        "Max connect timeout reached while reaching hostgroup " + std::to_string(hostgroup_) +
            " after " + std::to_string(net::nowMs(context_.loop()) - commandStartMs_) + "ms: " +
            (!failedServers_.empty() ? std::string("no ONLINE server left to try")
             : routing::Router::hostgroupExists(*commandRuntime_, hostgroup_)
                 ? std::string("no ONLINE server in it (every server is SHUNNED or OFFLINE)")
                 : std::string("the hostgroup has no servers"))});
    return;
  }
  BackendIdentity identity = identityFor(*server);
  pool::ServerStats* stats = context_.serverCounter(*server);
  if (!fastForward_) {
    auto pooled = context_.pool().acquire(identity, schema_, vars_);
    if (!pooled) {
      pooled = context_.takeParked(identity, schema_, vars_, stats);
    }
    if (pooled) {
      noteWaitOver(false);
      backend_ = std::move(pooled);
      sendToBackend();
      return;
    }
    if (shouldBorrow(*stats, identity)) {
      return;  // another worker has idle connections: wait a moment for one of them
    }
  }
  auto slot = pool::ServerSlot::tryReserve(stats, server->maxConnections);
  if (!slot && context_.evictParked(stats)) {
    // Parked connections of other logins held the slots: one was closed for this session.
    slot = pool::ServerSlot::tryReserve(stats, server->maxConnections);
  }
  if (!slot) {
    // Another worker took the last slot meanwhile: the server is full, not failed.
    waitForFullServers();
    return;
  }
  failedServers_.push_back(server);  // if this connection fails, try the others first
  noteWaitOver(false);
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
  if (syncBackend()) {
    return;
  }
  state_ = State::Executing;
  // Out of pending_ first: a command with no reply (COM_STMT_SEND_LONG_DATA) completes inside
  // execute(), and the client's next command, already buffered, may refill pending_ there.
  std::string command = std::move(pending_);
  pending_.clear();
  patchStatementId(command);
  bool keepForRetry = canRetryCommand();
  backend_->execute(p::asBytes(command), shape_, *this);
  if (keepForRetry && retryCommand_.empty()) {
    retryCommand_.swap(command);  // its old (empty) buffer is reused below
  }
  if (pending_.empty() && command.capacity() <= 16 * 1024) {
    command.clear();
    pending_ = std::move(command);  // reuse the buffer; a big query's is let go
  }
}

bool ClientSession::anotherServerFor(const BackendConnection& failed) {
  if (!commandRuntime_) {
    return false;  // a held connection's command: it never went through the router
  }
  const BackendIdentity& id = failed.identity();
  for (const config::Server& s : commandRuntime_->servers) {
    if (s.hostgroupId == id.hostgroup && s.hostname == id.host && s.port == id.port) {
      failedServers_.push_back(&s);
    }
  }
  return context_.router().pick(*commandRuntime_, hostgroup_, failedServers_) != nullptr;
}

bool ClientSession::canRetryCommand() const {
  return retryableRead_ && !inTransaction_ && pinReason_[0] == '\0' && statementHold() == nullptr &&
         !fastForward_ && queryRetries_ < context_.runtime()->mysql.queryRetriesOnFailure;
}

bool ClientSession::variablesInSync() const {
  return backend_->vars() == vars_ && backend_->autocommit() != autocommitOff_ &&
         (!needsInsertId_ || backend_->lastInsertId() == lastInsertId_);
}

std::string_view ClientSession::syncSchema() const {
  if (currentStatement_ != nullptr &&
      backend_->statements().serverId(currentStatement_->stmt->id) == 0) {
    return currentStatement_->stmt->schema;  // prepared there next: in its own schema
  }
  return schema_;
}

bool ClientSession::backendInSync() const {
  std::string_view schema = syncSchema();
  return (schema.empty() || backend_->schema() == schema) && variablesInSync() &&
         (currentStatement_ == nullptr ||
          backend_->statements().serverId(currentStatement_->stmt->id) != 0);
}

bool ClientSession::syncBackend() {
  if (backendInSync()) {
    return false;
  }
  state_ = State::Syncing;
  syncReply_.clear();
  std::string_view schema = syncSchema();
  bool schemaDiffers = !schema.empty() && backend_->schema() != schema;
  if (!schemaDiffers && variablesInSync()) {
    prepareOnBackend();  // client_stmt.cc
    return true;
  }
  std::string& out = context_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  if (schemaDiffers) {
    syncStep_ = SyncStep::Schema;
    p::encodeInitDb(out, schema);
  } else {
    syncStep_ = SyncStep::Variables;
    out.push_back(static_cast<char>(p::Command::Query));
    out.append("SET ");
    size_t listStart = out.size();
    if (!vars_.appendSyncFrom(backend_->vars(), backend_->identity().charset, out)) {
      // Its charset cannot be undone here: this connection is no use to this client.
      backend_->close();
      context_.loop().deferredDelete(std::move(backend_));
      state_ = State::Connecting;
      startBackend();
      return true;
    }
    auto separate = [&] { out.append(out.size() == listStart ? "" : ", "); };
    if (needsInsertId_ && backend_->lastInsertId() != lastInsertId_) {
      separate();
      out.append("last_insert_id = ").append(std::to_string(lastInsertId_));
    }
    if (backend_->autocommit() == autocommitOff_) {
      separate();
      out.append(autocommitOff_ ? "autocommit = 0" : "autocommit = 1");
    }
  }
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  backend_->execute(p::asBytes(out), ReplyShape::OkOrError, *this);
  return true;
}

void ClientSession::onSyncDone(BackendConnection& backend) {
  const ReplyTracker& t = backend.tracker();
  if (t.failed()) {
    // The server refuses the client's state (its schema is gone, a variable's value is no
    // longer accepted): the command gets the server's error.
    p::Bytes reply = p::asBytes(syncReply_);
    auto err = reply.size() > 4 ? p::ErrPacket::decode(reply.subspan(4), backend.capabilities())
                                : p::Result<p::ErrPacket>(p::Error::malformed("empty reply"));
    writeError(err ? err->toError() : err.error(), 1);
    releaseBackend();
    finishCommand();
    return;
  }
  switch (syncStep_) {
    case SyncStep::Schema:
      backend.setSchema(std::string(syncSchema()));
      break;
    case SyncStep::Variables:
      backend.vars() = vars_;
      backend.setAutocommit(!autocommitOff_);
      if (needsInsertId_) {
        backend.setLastInsertId(lastInsertId_);
      }
      break;
    case SyncStep::Statement: {
      // OK_stmt: 0x00, then the server's statement id.
      p::Bytes reply = p::asBytes(syncReply_);
      if (reply.size() < p::kPacketHeaderSize + 5) {
        backendLost(p::Error::malformed("COM_STMT_PREPARE reply too short"));
        return;
      }
      backend.statements().add(currentStatement_->stmt->id,
                               p::readLe32(reply.data() + p::kPacketHeaderSize + 1));
      break;
    }
  }
  syncReply_.clear();
  sendToBackend();
}

void ClientSession::onBackendReply(BackendConnection& backend, p::Bytes bytes) {
  if (state_ == State::Syncing || clientPrepare_) {
    syncReply_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return;
  }
  if (timedOut_ && replaceTimeoutError(backend.tracker(), bytes)) {
    forwardedAny_ = true;
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
  if (state_ == State::Syncing) {
    onSyncDone(backend);
    return;
  }
  if (clientPrepare_) {
    onClientPrepareDone(backend);  // client_stmt.cc
    return;
  }
  const ReplyTracker& t = backend.tracker();
  if (cacheCapture_.active()) {
    storeInCache(backend);
  }
  if (shape_ == ReplyShape::ResultSets && (trackQuery_ || logQuery_)) {
    recordQuery(backend);
  }
  noteCursor(t);
  if (!t.failed() && !pendingSchema_.empty()) {
    schema_ = pendingSchema_;
    backend.setSchema(schema_);
  }
  pendingSchema_.clear();
  if (t.hasStatus()) {
    // The server's word on the transaction, not a guess from the statement text. An ERR
    // carries no status; the state is unchanged then.
    inTransaction_ = (t.statusFlags() & p::kServerStatusInTrans) != 0;
    autocommitOff_ = (t.statusFlags() & p::kServerStatusAutocommit) == 0;
    backend.setAutocommit(!autocommitOff_);
  }
  if (!t.failed()) {
    if (t.lastInsertId() != 0) {
      lastInsertId_ = t.lastInsertId();
      backend.setLastInsertId(lastInsertId_);
    }
    if (!pendingSet_.empty()) {
      vars_.apply(pendingSet_);
      backend.vars().apply(pendingSet_);
    }
    if (!trackedSet_.empty() && learnTrackedSet(backend)) {
      statementStateless_ = true;  // the server said what it set: replayed like a literal SET
    }
    if (pinReason_[0] == '\0') {
      if (!statementStateless_) {
        pinReason_ = statementReason_;
      } else if (watchStateChange_ && (t.statusFlags() & p::kServerSessionStateChanged) != 0) {
        // The server says the statement changed session state we did not see coming (a
        // stored function's SET, a dropped current schema): keep what holds it.
        pinReason_ = "session_state_changed";
      }
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
  event.client = clientHost();
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
  resetCommand();
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

void ClientSession::resetCommand() {
  cacheCapture_.reset();
  commandRuntime_.reset();
  currentStatement_ = nullptr;
  clientPrepare_ = false;
  queryDeadlineMs_ = 0;
  timedOut_ = false;
  ruleTimeoutMs_.reset();
  if (timeoutTimer_) {
    timeoutTimer_->stop();
  }
  pendingSet_.clear();
  trackedSet_.clear();
  needsInsertId_ = false;
  watchStateChange_ = false;
  retryableRead_ = false;
  queryRetries_ = 0;
  if (!retryCommand_.empty()) {
    retryCommand_.clear();
    if (pending_.capacity() == 0) {
      pending_.swap(retryCommand_);  // an idle session keeps one command buffer, not two
    } else {
      std::string().swap(retryCommand_);
    }
  }
  borrowUntilMs_ = 0;
  stopWaitingOnServers();
  failedServers_.clear();
  if (commandKind_ != sql::CommandKind::None) {
    context_.countCommand(commandKind_, (uv_hrtime() - queryStartNs_) / 1000);
    commandKind_ = sql::CommandKind::None;
  }
}

void ClientSession::onBackendFailed(BackendConnection& backend, const p::Error& error) {
  (void)backend;
  bool loginError = error.code == 1045 || error.code == 1044 || error.code == 1049 ||
                    error.code == 1226 || error.code == 1251;
  // Only a connection that never took the command is retried: once a command was sent, the
  // server may have run it, and running a write twice is worse than an error. A borrowed
  // connection that breaks while being synced had not taken it yet either (unless the client's
  // own state was on it).
  bool heldState = inTransaction_ || pinReason_[0] != '\0' || statementHold() != nullptr;
  bool retryable =
      !loginError && (state_ == State::Connecting || (state_ == State::Syncing && !heldState));
  if (state_ == State::Executing && !forwardedAny_ && !retryCommand_.empty() && canRetryCommand() &&
      anotherServerFor(backend)) {
    // A plain read whose connection broke before any reply: run it again on another server of
    // the hostgroup (a replica that died mid-query). Never on the same one: an operator's KILL
    // must not be undone by the proxy.
    ++queryRetries_;
    if (backend_) {
      context_.loop().deferredDelete(std::move(backend_));
    }
    pending_.swap(retryCommand_);
    retryCommand_.clear();
    state_ = State::Connecting;
    startBackend();
    return;
  }
  if (backend_) {
    context_.loop().deferredDelete(std::move(backend_));
  }
  if (retryable && !fastForward_) {
    uint64_t elapsed = net::nowMs(context_.loop()) - commandStartMs_;
    const auto& vars = context_.runtime()->mysql;
    // failedServers_ holds one entry per connection attempt of this command.
    if (elapsed < static_cast<uint64_t>(vars.connectTimeoutServerMaxMs) &&
        failedServers_.size() <= static_cast<size_t>(vars.connectRetriesOnFailure)) {
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
  forgetStatementHolds();  // their long data and cursors were on that connection
  // Whatever the connection held (transaction, variables) is gone with it.
  bool stateLost = inTransaction_ || pinReason_[0] != '\0';
  inTransaction_ = false;
  autocommitOff_ = false;
  pinReason_ = "";
  if (state_ == State::Idle) {
    // A held connection died between commands. With a transaction or session state on it,
    // going on elsewhere would silently run the client's next statements outside what it
    // believes it is in: end the client's connection, as the server's own end would.
    if (stateLost) {
      close();
    }
    return;
  }
  if (stateLost && !fastForward_ && !midReply && state_ != State::Piping) {
    writeError(p::Error{2013, "HY000",
                        "Lost connection to the server during a transaction or with session "
                        "state on it (" +
                            error.message +
                            "); the server rolled back what was uncommitted, so rwproxy closes "
                            "this connection too"},
               1);
    close();
    return;
  }
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
  bool keep = inTransaction_ || pinReason_[0] != '\0' || statementHold() != nullptr ||
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
  if (inTransaction_ || pinReason_[0] != '\0' || statementHold() != nullptr || fastForward_ ||
      !backend_->ready()) {
    // Its session state belongs to this client alone: never lend it to another.
    backend_->close();
    context_.loop().deferredDelete(std::move(backend_));
    return;
  }
  context_.returnBackend(std::move(backend_));
}

}  // namespace rwproxy::session

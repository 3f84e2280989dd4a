// ClientSession waiting: for a backend connection (a full server, or another worker lending an
// idle one), for a query past its timeout, for a KILL.
#include "proxy/protocol/constants.h"
#include "proxy/session/client_session.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// How long a session waits at most for the other workers to answer whether they lend it an
// idle connection before it opens its own. A worker answers within one loop iteration
// (microseconds); this only bounds the wait when one cannot (stopping, or starved of CPU).
constexpr uint64_t kBorrowWaitMs = 100;

}  // namespace

bool ClientSession::shouldBorrow(const pool::ServerStats& stats, const BackendIdentity& identity) {
  uint64_t now = net::nowMs(context_.loop());
  if (borrowUntilMs_ == 0) {
    // Idle connections elsewhere (of any login: a guess; a worker without a match says so).
    // Asking costs two thread wakeups; opening a connection costs the server a login.
    if (stats.shared->idle.load(std::memory_order_relaxed) - stats.idle <= 0) {
      return false;
    }
    borrowUntilMs_ = now + kBorrowWaitMs;
    borrowAnswersPending_ = context_.askForIdle(identity, id_, ++borrowAsk_);
    if (borrowAnswersPending_ <= 0) {
      return false;
    }
  } else if (borrowAnswersPending_ <= 0 || now >= borrowUntilMs_) {
    return false;  // every worker answered and none lent one that is still there: open one
  }
  waitForBackend();
  return true;
}

void ClientSession::onBorrowAnswer(uint32_t ask) {
  if (ask != borrowAsk_ || borrowUntilMs_ == 0) {
    return;  // an answer to an earlier command's question
  }
  --borrowAnswersPending_;
  retryBackend();  // a parked connection may be there now; else, once all answered, open one
}

void ClientSession::waitForFullServers() {
  if (waitingOn_.empty()) {
    for (const config::Server& s : commandRuntime_->servers) {
      if (s.hostgroupId == hostgroup_) {
        pool::ServerShared* shared = context_.serverCounter(s)->shared;
        shared->waiting.fetch_add(1, std::memory_order_relaxed);
        waitingOn_.push_back(shared);
      }
    }
  }
  waitForBackend();
}

void ClientSession::stopWaitingOnServers() {
  for (pool::ServerShared* shared : waitingOn_) {
    shared->waiting.fetch_sub(1, std::memory_order_relaxed);
  }
  waitingOn_.clear();
}

void ClientSession::waitForBackend() {
  uint64_t waitedMs = net::nowMs(context_.loop()) - commandStartMs_;
  uint64_t maxMs = static_cast<uint64_t>(commandRuntime_->mysql.connectTimeoutServerMaxMs);
  if (waitedMs >= maxMs) {
    noteWaitOver(true);
    backendLost(p::Error{9001, "HY000",
                         "Max connect timeout reached while reaching hostgroup " +
                             std::to_string(hostgroup_) + " after " + std::to_string(waitedMs) +
                             "ms: every server is at max_connections and none freed a "
                             "connection (mysql-connect_timeout_server_max)"});
    return;
  }
  bool firstTime = waitStartNs_ == 0;
  if (firstTime) {
    waitStartNs_ = uv_hrtime();
    waitSinceMs_ = net::nowMs(context_.loop());
  }
  state_ = State::Waiting;
  context_.waitForBackend(*this, firstTime);
}

void ClientSession::retryBackend() {
  if (state_ != State::Waiting) {
    return;
  }
  state_ = State::Connecting;
  startBackend();
}

void ClientSession::noteWaitOver(bool timedOut) {
  // ConnPool_get_conn_wait* count waits for full servers; a moment spent asking the other
  // workers to lend an idle connection is not one.
  if (waitStartNs_ != 0 && !waitingOn_.empty()) {
    context_.recordPoolWait((uv_hrtime() - waitStartNs_) / 1000, timedOut);
  }
  waitStartNs_ = 0;
  stopWaitingOnServers();
  borrowUntilMs_ = 0;
}

void ClientSession::armQueryTimeout(int64_t timeoutMs) {
  queryTimeoutMs_ = timeoutMs;
  queryDeadlineMs_ = commandStartMs_ + static_cast<uint64_t>(timeoutMs);
  // Long timeouts (the 10 h default) are checked by the worker's one-second tick; short ones,
  // which rules set, get a timer of their own, made once per session that needs it.
  constexpr int64_t kTickPrecisionEnoughMs = 60000;
  if (timeoutMs <= kTickPrecisionEnoughMs) {
    if (!timeoutTimer_) {
      timeoutTimer_ = std::make_unique<net::Timer>(context_.loop(), [this] { onQueryTimeout(); });
    }
    timeoutTimer_->start(static_cast<uint64_t>(timeoutMs));
  }
}

void ClientSession::onQueryTimeout() {
  if (queryDeadlineMs_ == 0 || timedOut_ || !backend_) {
    return;
  }
  if (state_ != State::Executing) {
    // Not on a server yet (connecting, syncing): look again shortly.
    if (timeoutTimer_) {
      timeoutTimer_->start(10);
    }
    return;
  }
  timedOut_ = true;
  context_.killOnServer(backend_->identity(), credentials_, backend_->serverThreadId(), true);
}

bool ClientSession::replaceTimeoutError(const ReplyTracker& tracker, p::Bytes bytes) {
  // The reply ended with the server's ERR (1317): it is the last packet of these bytes.
  size_t errBytes = p::kPacketHeaderSize + tracker.lastPacketLength();
  if (!tracker.done() || !tracker.failed() || bytes.size() < errBytes) {
    return false;
  }
  size_t errStart = bytes.size() - errBytes;
  writeRaw(bytes.first(errStart));
  writeError(p::Error{1969, "70100",
                      "Query execution was interrupted: query timeout of " +
                          std::to_string(queryTimeoutMs_) + " ms exceeded (" +
                          (ruleTimeoutMs_ ? "query rule timeout" : "mysql-default_query_timeout") +
                          "); rwproxy killed it on the server"},
             bytes[errStart + 3]);
  return true;
}

void ClientSession::kill(bool queryOnly) {
  if (state_ == State::Waiting && queryOnly) {
    // Nothing runs on a server yet: the command just ends.
    waitStartNs_ = 0;
    writeError(p::Error{1317, "70100", "Query execution was interrupted"}, 1);
    finishCommand();
    return;
  }
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

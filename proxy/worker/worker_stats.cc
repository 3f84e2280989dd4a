// The worker's side of the stats tables: what only its own thread may read (its sessions), read
// by tasks the admin thread posts to it (DataPlane::onEveryWorker).
#include "proxy/worker/worker.h"

namespace rwproxy::worker {

namespace {

// stats_mysql_processlist.command, from the session's state (MySQL's names where they exist).
const char* commandOf(session::ClientSession::State state) {
  using State = session::ClientSession::State;
  switch (state) {
    case State::Login:
      return "Connect";
    case State::Idle:
      return "Sleep";
    case State::Connecting:
    case State::Waiting:
    case State::Syncing:
    case State::Executing:
      return "Query";
    case State::Piping:
      return "Fast_forward";
    case State::Draining:
    case State::Closed:
      return "Killed";
  }
  return "";
}

std::optional<std::string> text(std::string_view value) { return std::string(value); }
std::optional<std::string> number(int64_t value) { return std::to_string(value); }

}  // namespace

const char* Worker::keepReason(const session::ClientSession& s) const {
  if (s.fastForward()) {
    return "fast_forward";
  }
  if (s.pinReason()[0] != '\0') {
    return s.pinReason();
  }
  if (s.inTransaction()) {
    return "transaction";
  }
  if (const char* hold = s.statementHold()) {
    return hold;
  }
  if (s.backend() != nullptr && s.state() == session::ClientSession::State::Idle &&
      !runtime_->mysql.multiplexing) {
    return "multiplexing_disabled";
  }
  return "";
}

void Worker::appendProcessRows(std::vector<ProcessRow>& out) {
  uint64_t now = net::nowMs(loop_);
  for (const auto& [id, s] : sessions_) {
    if (s->state() == session::ClientSession::State::Closed) {
      continue;
    }
    bool running = std::string_view(commandOf(s->state())) == "Query";
    uint64_t since = running ? s->commandStartMs() : s->lastActivityMs();
    const session::BackendConnection* backend = s->backend();
    std::optional<std::string> info;
    if (uint64_t digest = s->runningDigest(); digest != 0) {
      std::string_view digestText = digestStats_.textOf(digest);
      if (!digestText.empty()) {
        info = std::string(digestText);
      }
    }
    out.push_back({
        number(index_),
        number(id),
        text(s->user()),
        text(s->schema()),
        text(s->clientHost()),
        number(s->clientPort()),
        number(s->hostgroup()),
        std::nullopt,  // l_srv_host
        std::nullopt,  // l_srv_port
        backend != nullptr ? text(backend->identity().host) : std::nullopt,
        backend != nullptr ? number(backend->identity().port) : std::nullopt,
        text(commandOf(s->state())),
        number(static_cast<int64_t>(now - std::min(now, since))),
        std::move(info),
        std::nullopt,  // status_flags
        std::nullopt,  // extended_info
        text(keepReason(*s)),
    });
  }
}

void Worker::addPinCounts(std::unordered_map<std::string, uint64_t>& out) {
  for (const auto& [id, s] : sessions_) {
    const char* reason = keepReason(*s);
    if (reason[0] != '\0') {
      ++out[reason];
    }
  }
}

}  // namespace rwproxy::worker

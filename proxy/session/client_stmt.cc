// Prepared statements across multiplexed connections. The client's statement ids are the
// session's own; each maps to a statement of the proxy-wide registry, which each backend
// connection prepares lazily the first time it executes it (a sync step like the schema's) and
// maps to its own server id. Nothing pins: the connection goes back to the pool after each
// execute, except while long data is pending or a cursor is open.
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/session/client_session.h"
#include "rules/rule_set.h"
#include "sql/digest.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// COM_STMT_EXECUTE: command, statement id, flags, iteration count; then the NULL bitmap.
constexpr size_t kExecuteFixedBytes = 1 + 4 + 1 + 4;

p::Error unknownStatement(uint32_t id, const char* command) {
  return p::Error{
      1243, "HY000",
      "Unknown prepared statement handler (" + std::to_string(id) + ") given to " + command};
}

}  // namespace

void ClientSession::handleStatementCommand(p::Command command, p::Bytes payload) {
  if (command == p::Command::StmtPrepare) {
    handlePrepare(payload);
    return;
  }
  const char* name = command == p::Command::StmtExecute ? "mysqld_stmt_execute"
                     : command == p::Command::StmtFetch ? "mysqld_stmt_fetch"
                     : command == p::Command::StmtReset ? "mysqld_stmt_reset"
                     : command == p::Command::StmtClose ? "mysqld_stmt_close"
                                                        : "mysqld_stmt_send_long_data";
  bool replies = command != p::Command::StmtClose && command != p::Command::StmtSendLongData;
  if (payload.size() < 5) {
    if (replies) {
      writeError(p::Error::malformed("statement command too short"), 1);
    }
    return;
  }
  uint32_t id = p::readLe32(payload.data() + 1);
  auto it = statements_ ? statements_->find(id) : ClientStatements::iterator{};
  if (!statements_ || it == statements_->end()) {
    if (replies) {
      writeError(unknownStatement(id, name), 1);
    }
    return;
  }
  ClientStatement& cs = it->second;
  switch (command) {
    case p::Command::StmtClose: {
      // Nothing goes to a server: the statement stays prepared on the connections that have
      // it (each bounded by mysql-max_stmts_per_connection) for whoever prepares it next.
      // Unless long data was sent for it: that waits on the server for the next execute,
      // whoever runs it, so it is closed there with the data before the connection is shared.
      bool heldData = (cs.longData || cs.cursorOpen) && backend_ && backend_->ready();
      if (heldData) {
        closeOnBackend(*backend_, backend_->statements().remove(cs.stmt->id));
      }
      statements_->erase(it);
      if (heldData) {
        releaseBackend();
      }
      return;
    }
    case p::Command::StmtExecute:
      handleExecute(cs, payload);
      return;
    case p::Command::StmtSendLongData:
      // The data stays on one connection until the execute: keep it (holdsLongData()).
      cs.longData = true;
      currentStatement_ = &cs;
      hostgroup_ = cs.hostgroup;
      statementStateless_ = true;
      forward(payload, ReplyShape::None);
      return;
    case p::Command::StmtReset:
      if (!cs.longData && !cs.cursorOpen) {
        // A reset drops long data and closes the cursor; with neither, nothing on any server
        // changes.
        writeOk(1);
        return;
      }
      cs.longData = false;
      cs.cursorOpen = false;  // the reset closes it
      currentStatement_ = &cs;
      statementStateless_ = true;
      forward(payload, ReplyShape::OkOrError);
      return;
    case p::Command::StmtFetch:
      if (!backend_) {
        writeError(p::Error{1421, "HY000",
                            "The statement (" + std::to_string(id) + ") has no open cursor."},
                   1);
        return;
      }
      currentStatement_ = &cs;
      statementStateless_ = true;
      forward(payload, ReplyShape::StmtFetch);
      return;
    default:
      return;
  }
}

void ClientSession::handlePrepare(p::Bytes payload) {
  std::string_view query(reinterpret_cast<const char*>(payload.data()) + 1, payload.size() - 1);
  const auto& runtime = *context_.runtime();
  hostgroup_ = defaultHostgroup_;
  sql::DigestOptions digestOptions;
  digestOptions.maxLength = static_cast<size_t>(runtime.mysql.queryDigestsMaxQueryLength);
  sql::DigestResult digest = sql::computeDigest(query, context_.digestScratch(), digestOptions);
  if (runtime.mysql.queryDigestsMaxEntries > 0) {
    context_.noteDigest(digest.hash, digest.text);
  }
  // Rules route (and may rewrite) a statement by its text, as they do a query.
  if (runtime.queryRuleSet && !applyRules(*runtime.queryRuleSet, query, digest, payload)) {
    return;
  }
  query = std::string_view(reinterpret_cast<const char*>(payload.data()) + 1, payload.size() - 1);
  std::string key =
      StmtRegistry::keyOf(user_, schema_, (capabilities_ & p::kClientDeprecateEof) != 0, query);
  if (auto known = context_.stmtRegistry().find(key)) {
    answerPrepare(known, hostgroup_, digest.hash);
    return;
  }
  prepareKey_ = std::move(key);
  prepareQuery_.assign(query);
  queryDigest_ = digest.hash;
  clientPrepare_ = true;
  statementStateless_ = true;
  forward(payload, ReplyShape::StmtPrepare);
}

void ClientSession::onClientPrepareDone(BackendConnection& backend) {
  const ReplyTracker& t = backend.tracker();
  clientPrepare_ = false;
  p::Bytes reply = p::asBytes(syncReply_);
  if (t.failed() || reply.size() < p::kPacketHeaderSize + 9) {
    writeRaw(reply);  // the server's ERR, as it is
  } else {
    const uint8_t* ok = reply.data() + p::kPacketHeaderSize;
    uint32_t serverId = p::readLe32(ok + 1);
    uint16_t numColumns = static_cast<uint16_t>(ok[5] | ok[6] << 8);
    uint16_t numParams = static_cast<uint16_t>(ok[7] | ok[8] << 8);
    std::string cached = std::move(syncReply_);
    p::writeLe32(cached.data() + p::kPacketHeaderSize + 1, 0);
    auto stmt = context_.stmtRegistry().add(std::move(prepareKey_), prepareQuery_, numParams,
                                            numColumns, std::move(cached));
    if (!stmt) {
      closeOnBackend(backend, serverId);
      writeError(p::Error{1461, "42000",
                          "Can't create more than max_prepared_stmt_count statements (the "
                          "proxy's statement registry is full of statements in use)"},
                 1);
    } else {
      if (backend.statements().serverId(stmt->id) == 0) {
        closeOnBackend(backend, backend.statements().evictForOneMore(maxStatementsPerConnection()));
        backend.statements().add(stmt->id, serverId);
      } else {
        closeOnBackend(backend, serverId);  // a twin prepared meanwhile: one is enough
      }
      answerPrepare(stmt, hostgroup_, queryDigest_);
    }
  }
  syncReply_.clear();
  prepareKey_.clear();
  prepareQuery_.clear();
  releaseBackend();
  finishCommand();
}

void ClientSession::answerPrepare(const PreparedStatementPtr& stmt, int hostgroup,
                                  uint64_t digest) {
  if (!statements_) {
    statements_ = std::make_unique<ClientStatements>();
  }
  uint32_t id = ++nextStatementId_;
  if (id == 0) {
    id = ++nextStatementId_;  // 0 is not a valid statement id
  }
  ClientStatement& cs = (*statements_)[id];
  cs.stmt = stmt;
  cs.hostgroup = hostgroup;
  cs.digest = digest;
  std::string& out = context_.scratch();
  out.assign(stmt->prepareReply);
  p::writeLe32(out.data() + p::kPacketHeaderSize + 1, id);
  writeRaw(p::asBytes(out));
}

void ClientSession::handleExecute(ClientStatement& cs, p::Bytes payload) {
  if (payload.size() < kExecuteFixedBytes) {
    writeError(p::Error::malformed("COM_STMT_EXECUTE too short"), 1);
    return;
  }
  size_t params = cs.stmt->numParams;
  if (params > 0) {
    // After the NULL bitmap: new-params-bound flag, then a type (2 bytes) per parameter.
    size_t flagAt = kExecuteFixedBytes + (params + 7) / 8;
    if (payload.size() > flagAt && payload[flagAt] == 1 &&
        payload.size() >= flagAt + 1 + 2 * params) {
      cs.paramTypes.assign(reinterpret_cast<const char*>(payload.data()) + flagAt + 1, 2 * params);
    } else if (payload.size() > flagAt && payload[flagAt] == 0 && !cs.paramTypes.empty()) {
      // The client sent the types on an earlier execute, maybe to another connection: every
      // execute we send carries them.
      std::string& rebuilt = context_.rewriteScratch();
      rebuilt.assign(reinterpret_cast<const char*>(payload.data()), flagAt);
      rebuilt.push_back(1);
      rebuilt.append(cs.paramTypes);
      rebuilt.append(reinterpret_cast<const char*>(payload.data()) + flagAt + 1,
                     payload.size() - flagAt - 1);
      payload = p::asBytes(rebuilt);
    }
  }
  // A cursor, when the server opens one, keeps the connection (noteCursor, statementHold).
  statementStateless_ = true;
  cs.longData = false;
  currentStatement_ = &cs;
  hostgroup_ = cs.hostgroup;
  queryDigest_ = cs.digest;
  trackQuery_ = context_.runtime()->mysql.queryDigestsMaxEntries > 0;
  queryStartNs_ = uv_hrtime();
  armQueryTimeout(context_.runtime()->mysql.defaultQueryTimeoutMs);
  forward(payload, ReplyShape::ResultSets);
}

size_t ClientSession::maxStatementsPerConnection() const {
  return static_cast<size_t>(context_.runtime()->mysql.maxStmtsPerConnection);
}

void ClientSession::closeOnBackend(BackendConnection& backend, uint32_t serverId) {
  if (serverId == 0) {
    return;
  }
  // COM_STMT_CLOSE has no reply: it can go while the connection is idle or just before the
  // next command.
  std::string& out = context_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  p::encodeStmtClose(out, serverId);
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  backend.writeRaw(p::asBytes(out));
}

void ClientSession::prepareOnBackend() {
  syncStep_ = SyncStep::Statement;
  while (uint32_t evicted = backend_->statements().evictForOneMore(maxStatementsPerConnection())) {
    closeOnBackend(*backend_, evicted);
  }
  std::string& out = context_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  p::encodeStmtPrepare(out, currentStatement_->stmt->query);
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  backend_->execute(p::asBytes(out), ReplyShape::StmtPrepare, *this);
}

void ClientSession::patchStatementId(std::string& framed) const {
  if (currentStatement_ == nullptr || framed.size() < p::kPacketHeaderSize + 5) {
    return;
  }
  uint32_t serverId = backend_->statements().serverId(currentStatement_->stmt->id);
  p::writeLe32(framed.data() + p::kPacketHeaderSize + 1, serverId);
}

const char* ClientSession::statementHold() const {
  if (!statements_) {
    return nullptr;
  }
  for (const auto& [id, cs] : *statements_) {
    if (cs.longData) {
      return "long_data";
    }
    if (cs.cursorOpen) {
      return "cursor";
    }
  }
  return nullptr;
}

void ClientSession::noteCursor(const ReplyTracker& reply) {
  if (currentStatement_ == nullptr || reply.failed()) {
    return;
  }
  uint16_t status = reply.statusFlags();
  if (shape_ == ReplyShape::ResultSets) {
    // An execute: the server opens a cursor only for a result set, and says so.
    currentStatement_->cursorOpen = (status & p::kServerStatusCursorExists) != 0;
  } else if (shape_ == ReplyShape::StmtFetch && (status & p::kServerStatusLastRowSent) != 0) {
    currentStatement_->cursorOpen = false;  // exhausted: the server closed it
  }
}

void ClientSession::forgetStatementHolds() {
  if (statements_) {
    for (auto& [id, cs] : *statements_) {
      cs.longData = false;
      cs.cursorOpen = false;
    }
  }
}

}  // namespace rwproxy::session

#include "proxy/session/client_session.h"

#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/protocol/text_row.h"
#include "proxy/session/statement_hints.h"
#include "rules/rule_set.h"
#include "sql/digest.h"
#include "sql/session_set.h"

#include <cstdio>

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// How long a client that sent a broken packet may keep sending before we hang up on it.
constexpr uint64_t kDrainTimeoutMs = 5000;

}  // namespace

ClientSession::ClientSession(SessionContext& context, uint32_t id)
    : context_(context), id_(id), stream_(context.loop(), *this) {}

ClientSession::~ClientSession() {
  if (state_ != State::Closed) {
    close();
  }
  stopWaitingOnServers();
}

bool ClientSession::busy() const {
  return state_ == State::Connecting || state_ == State::Waiting || state_ == State::Syncing ||
         state_ == State::Executing || state_ == State::Draining || state_ == State::Closed;
}

void ClientSession::close(const std::optional<p::Error>& error) {
  if (state_ == State::Closed) {
    return;
  }
  if (error) {
    // The answer to the packet that broke: the next sequence id of the login, or 1 after a
    // command's 0.
    writeError(*error, auth_ ? auth_->nextSequence() : 1);
  }
  bool wasExecuting = state_ == State::Executing || state_ == State::Piping;
  state_ = State::Closed;
  if (backend_) {
    if (wasExecuting) {
      backend_->close();
      context_.loop().deferredDelete(std::move(backend_));
    } else {
      dropBackend();
    }
  }
  stream_.close();
  if (userAdmitted_) {
    context_.releaseUser(user_);
    userAdmitted_ = false;
  }
  if (admitted_) {
    context_.releaseClient();
    admitted_ = false;
  }
  context_.sessionClosed(*this);
}

void ClientSession::closeAfterError(const p::Error& error) {
  writeError(error, auth_ ? auth_->nextSequence() : 1);
  if (backend_) {
    dropBackend();
  }
  input_.releaseMemory();
  state_ = State::Draining;
  lastActivityMs_ = net::nowMs(context_.loop());
  stream_.startReading();
}

void ClientSession::closeWhenIdle() {
  closeWhenIdle_ = true;
  if (state_ == State::Idle || state_ == State::Login || state_ == State::Draining) {
    close();
  }
}

void ClientSession::onTick(uint64_t nowMs) {
  const auto& vars = context_.runtime()->mysql;
  if (state_ == State::Login &&
      nowMs - lastActivityMs_ > static_cast<uint64_t>(vars.connectTimeoutClientMs)) {
    close();
  } else if (state_ == State::Idle &&
             nowMs - lastActivityMs_ > static_cast<uint64_t>(vars.waitTimeoutMs)) {
    close();
  } else if (state_ == State::Draining && nowMs - lastActivityMs_ > kDrainTimeoutMs) {
    close();
  } else if (queryDeadlineMs_ != 0 && nowMs >= queryDeadlineMs_) {
    onQueryTimeout();
  }
}

// ---- input ----

void ClientSession::onRead(std::span<const uint8_t> data) {
  if (state_ == State::Draining) {
    return;  // dropped; the client's last packet was already answered
  }
  lastActivityMs_ = net::nowMs(context_.loop());
  if (state_ == State::Piping) {
    if (backend_) {
      backend_->writeRaw(data);
    }
    return;
  }
  // Fast path: whole single-chunk packets straight from the read buffer, no copy.
  if (input_.buffered() == 0) {
    size_t pos = 0;
    while (!busy() && pos + p::kPacketHeaderSize <= data.size()) {
      p::PacketHeader h = p::decodeHeader(data.data() + pos);
      size_t end = pos + p::kPacketHeaderSize + h.length;
      if (h.length >= p::kMaxPacketChunk || end > data.size()) {
        break;
      }
      if (state_ != State::Login &&
          h.length > static_cast<size_t>(context_.runtime()->mysql.maxAllowedPacket)) {
        break;  // the assembler reports it
      }
      handlePacket(data.subspan(pos + p::kPacketHeaderSize, h.length), h.sequenceId);
      pos = end;
    }
    data = data.subspan(pos);
    if (data.empty() || state_ == State::Closed) {
      return;
    }
  }
  input_.feed(data);
  drainBuffered();
}

void ClientSession::drainBuffered() {
  while (!busy()) {
    auto next = input_.next();
    if (!next) {
      closeAfterError(next.error());
      return;
    }
    if (!next->has_value()) {
      break;
    }
    const p::LogicalPacket& packet = **next;
    handlePacket(packet.payload, packet.firstSequenceId);
  }
  if (state_ == State::Closed) {
    return;
  }
  if (input_.buffered() == 0) {
    input_.releaseMemory();  // an idle client holds no input buffer
  }
  if (busy()) {
    stream_.stopReading();  // one command at a time; the rest waits in the kernel
  }
}

void ClientSession::handlePacket(p::Bytes payload, uint8_t sequenceId) {
  if (state_ == State::Login) {
    onLoginPacket(payload, sequenceId);
    return;
  }
  if (sequenceId != 0) {
    close(p::Error::outOfOrder("a command must start with sequence id 0"));
    return;
  }
  handleCommand(payload);
}

void ClientSession::handleCommand(p::Bytes payload) {
  auto command = p::commandOf(payload);
  if (!command) {
    writeError(command.error(), 1);
    return;
  }
  if (closeWhenIdle_) {
    close(p::Error{1053, "08S01", "Server shutdown in progress"});
    return;
  }
  commandStartMs_ = net::nowMs(context_.loop());
  hostgroup_ = defaultHostgroup_;
  context_.countQuestion();
  switch (*command) {
    case p::Command::Quit:
      close();
      return;
    case p::Command::Ping:
      writeOk(1);
      return;
    case p::Command::Query:
      handleQuery(payload);
      return;
    case p::Command::InitDb: {
      auto schema = p::decodeInitDb(payload);
      if (!schema) {
        writeError(schema.error(), 1);
        return;
      }
      pendingSchema_ = *schema;
      statementStateless_ = true;
      forward(payload, ReplyShape::OkOrError);
      return;
    }
    case p::Command::FieldList:
      statementStateless_ = true;
      forward(payload, ReplyShape::FieldList);
      return;
    case p::Command::Statistics:
      statementStateless_ = true;
      forward(payload, ReplyShape::Statistics);
      return;
    case p::Command::ProcessKill: {
      auto id = p::decodeProcessKill(payload);
      if (!id) {
        writeError(id.error(), 1);
        return;
      }
      handleKill(*id, false);
      return;
    }
    case p::Command::ChangeUser:
      handleChangeUser(payload);
      return;
    case p::Command::ResetConnection:
      // The server forgets the session state; so do we. A held connection is reset with the
      // client; without one there is nothing on any server to reset.
      inTransaction_ = false;
      autocommitOff_ = false;
      vars_.clear();
      lastInsertId_ = 0;
      statements_.reset();  // the server closes a client's prepared statements too
      if (backend_ && backend_->ready()) {
        pinReason_ = "";
        statementStateless_ = true;
        backend_->vars().clear();
        backend_->setTracksVariables(false);  // the server's defaults are back
        backend_->setLastInsertId(0);
        backend_->statements().clear();
        forward(payload, ReplyShape::OkOrError);
      } else {
        writeOk(1);
      }
      return;
    case p::Command::SetOption:
      statementReason_ = "set_option";
      statementStateless_ = false;
      forward(payload, ReplyShape::OkOrError);
      return;
    case p::Command::StmtPrepare:
    case p::Command::StmtExecute:
    case p::Command::StmtSendLongData:
    case p::Command::StmtClose:
    case p::Command::StmtReset:
    case p::Command::StmtFetch:
      handleStatementCommand(*command, payload);  // client_stmt.cc
      return;
    default:
      writeError(p::Error{1047, "08S01",
                          "Command " + std::string(p::commandName(*command)) +
                              " is not supported by rwproxy"},
                 1);
      return;
  }
}

void ClientSession::handleQuery(p::Bytes payload) {
  auto query = p::decodeQuery(payload);
  if (!query) {
    writeError(query.error(), 1);
    return;
  }
  StatementHints hints = inspectStatement(*query);
  if (hints.kind == StatementHints::Kind::Kill) {
    handleKill(hints.killId, hints.killQueryOnly);
    return;
  }
  hostgroup_ = defaultHostgroup_;
  const auto& runtime = *context_.runtime();
  // One pass over the text for both the stats and the rules; no allocation once the scratch
  // buffer has grown.
  sql::DigestOptions digestOptions;
  digestOptions.maxLength = static_cast<size_t>(runtime.mysql.queryDigestsMaxQueryLength);
  sql::DigestResult digest = sql::computeDigest(*query, context_.digestScratch(), digestOptions);
  queryDigest_ = digest.hash;
  trackQuery_ = runtime.mysql.queryDigestsMaxEntries > 0;
  if (trackQuery_) {
    context_.noteDigest(digest.hash, digest.text);
  }
  logQuery_ = false;
  ruleTimeoutMs_.reset();
  ruleMultiplex_ = -1;
  if (runtime.queryRuleSet) {
    if (!applyRules(*runtime.queryRuleSet, *query, digest, payload)) {
      return;  // answered by the rules (error_msg / OK_msg)
    }
  }
  queryStartNs_ = uv_hrtime();
  armQueryTimeout(ruleTimeoutMs_.value_or(runtime.mysql.defaultQueryTimeoutMs));
  switch (hints.kind) {
    case StatementHints::Kind::Use:
      pendingSchema_ = hints.useSchema;
      statementStateless_ = true;
      break;
    case StatementHints::Kind::LastInsertId:
      if (!backend_) {
        answerLastInsertId(hints.columnName);
        resetCommand();
        return;
      }
      statementStateless_ = true;  // a held connection knows its own value
      break;
    case StatementHints::Kind::Stateless:
      statementStateless_ = true;
      needsInsertId_ = hints.usesLastInsertId;
      watchStateChange_ = hints.watchStateChange;
      retryableRead_ = hints.isRead;
      break;
    case StatementHints::Kind::Stateful:
    case StatementHints::Kind::Kill:
      statementStateless_ = false;
      statementReason_ = hints.reason;
      if (hints.isSet) {
        if (auto set = sql::parseReplayableSet(*query)) {
          // Replayed on whichever connection serves the client next: no need to keep this one.
          pendingSet_ = std::move(*set);
          statementStateless_ = true;
        } else if (auto targets = sql::parseTrackedSet(*query)) {
          // Replayable once the server reports the values (learnTrackedSet); pins otherwise.
          trackedSet_ = std::move(*targets);
        }
      }
      break;
  }
  if (ruleMultiplex_ == 1) {
    // The operator says this statement's state is harmless: it and what pinned before are
    // forgotten (never an open transaction, which the server's status flags keep).
    statementStateless_ = true;
    pinReason_ = "";
  } else if (ruleMultiplex_ == 2 && std::string_view(statementReason_) == "user_variable") {
    statementStateless_ = true;  // ignore `@` in this statement only
  }
  if (answerFromCache(payload)) {
    resetCommand();  // answered here: nothing of this command may outlive it (its timeout)
    return;
  }
  // Counted in finishCommand (cache hits are in Query_Cache_* instead).
  commandKind_ = sql::commandKindOf(*query);
  forward(payload, ReplyShape::ResultSets);
}

bool ClientSession::learnTrackedSet(BackendConnection& backend) {
  const ReplyTracker& t = backend.tracker();
  if (!backend.tracksVariables() || t.stateReport() != ReplyTracker::StateReport::Kept) {
    return false;
  }
  auto learned = learnTrackedValues(trackedSet_, t.stateOk(), backend.capabilities());
  if (!learned) {
    return false;
  }
  vars_.apply(*learned);
  backend.vars().apply(*learned);
  return true;
}

bool ClientSession::applyRules(const rules::RuleSet& ruleSet, std::string_view query,
                               const sql::DigestResult& digest, p::Bytes& payload) {
  rules::QueryContext ctx;
  ctx.query = query;
  ctx.username = user_;
  ctx.schemaname = schema_;
  if (ruleSet.needsClientAddress()) {
    ctx.clientAddr = clientHost();
  }
  if (ruleSet.needsProxyAddress() && proxyPort_ == 0) {
    stream_.local(proxyHost_, proxyPort_);  // once per client, and only when a rule asks
  }
  ctx.proxyAddr = proxyHost_;
  ctx.proxyPort = proxyPort_;
  ctx.flagIn = nextFlagIn_;
  nextFlagIn_ = 0;
  ctx.digestText = digest.text;
  ctx.digest = digest.hash;
  rules::Decision d = ruleSet.evaluate(ctx, context_.evalScratch());
  context_.countRuleHits(ruleSet, d.matchedRuleIndexes);
  if (d.nextQueryFlagIn) {
    nextFlagIn_ = static_cast<int>(*d.nextQueryFlagIn);
  }
  if (d.errorMsg) {
    writeError(p::Error{1148, "42000", std::string(*d.errorMsg)}, 1);
    return false;
  }
  if (d.okMsg) {
    writeOk(1, 0, *d.okMsg);
    return false;
  }
  cacheTtlMs_ = d.cacheTtl.value_or(0);
  cacheEmptyResult_ = d.cacheEmptyResult;
  if (d.destinationHostgroup) {
    hostgroup_ = *d.destinationHostgroup;
  }
  if (d.timeout && *d.timeout > 0) {
    ruleTimeoutMs_ = *d.timeout;
  }
  if (d.log && *d.log && context_.eventsLogEnabled()) {
    logQuery_ = true;
    loggedQuery_.assign(d.query);  // only logged queries pay for a copy
  }
  ruleMultiplex_ = d.multiplex ? *d.multiplex : -1;
  if (ruleMultiplex_ == 0 && pinReason_[0] == '\0') {
    pinReason_ = "rule_multiplex_0";
  }
  if (d.rewritten) {
    // The rewritten text lives in the rule engine's scratch; frame it from there.
    std::string& rewritten = context_.rewriteScratch();
    rewritten.assign(1, static_cast<char>(p::Command::Query));
    rewritten.append(d.query);
    payload = p::asBytes(rewritten);
  }
  if (d.mirrorHostgroup || d.mirrorFlagOut) {
    startMirror(ruleSet, ctx, d);  // last: it reuses the rule engine's scratch
  }
  return true;
}

void ClientSession::startMirror(const rules::RuleSet& ruleSet, rules::QueryContext ctx,
                                const rules::Decision& decision) {
  int hostgroup = decision.mirrorHostgroup ? static_cast<int>(*decision.mirrorHostgroup)
                                           : decision.destinationHostgroup.value_or(hostgroup_);
  std::string text(decision.query);
  if (decision.mirrorFlagOut) {
    // The mirror runs the rules again from mirror_flagOUT: they may send it elsewhere and
    // rewrite it (ProxySQL's way of shaping mirrored traffic).
    ctx.query = text;
    ctx.flagIn = static_cast<int>(*decision.mirrorFlagOut);
    rules::Decision m = ruleSet.evaluate(ctx, context_.evalScratch());
    if (!decision.mirrorHostgroup && m.destinationHostgroup) {
      hostgroup = *m.destinationHostgroup;
    }
    text.assign(m.query);
  }
  bool stateless = inspectStatement(text).kind == StatementHints::Kind::Stateless;
  context_.mirror(hostgroup, baseIdentity(), schema_, credentials_, std::move(text), stateless);
}

void ClientSession::handleKill(uint64_t id, bool queryOnly) {
  if (id > UINT32_MAX || !context_.killSession(static_cast<uint32_t>(id), queryOnly)) {
    writeError(p::Error{1094, "HY000", "Unknown thread id: " + std::to_string(id)}, 1);
    return;
  }
  if (state_ != State::Closed) {
    writeOk(1);
  }
}

// ---- output ----

void ClientSession::writeRaw(p::Bytes bytes) { stream_.write(bytes); }

void ClientSession::writeOk(uint8_t seq, uint16_t extraStatus, std::string_view info) {
  p::OkPacket ok;
  ok.info = info;
  // The session's real state: a client that set autocommit=0 must not be told it is on.
  ok.statusFlags = sessionStatus() | extraStatus;
  std::string& out = context_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  ok.encode(out, capabilities_ | p::kClientProtocol41);
  p::endPacket(out, header, seq);
  writeRaw(p::asBytes(out));
}

uint16_t ClientSession::sessionStatus() const {
  return static_cast<uint16_t>((inTransaction_ ? p::kServerStatusInTrans : 0) |
                               (autocommitOff_ ? 0 : p::kServerStatusAutocommit));
}

void ClientSession::answerLastInsertId(std::string_view columnName) {
  // ORMs ask after every insert: one definition per thread, renamed in place, so the answer
  // allocates nothing once its name buffer has grown.
  thread_local p::ColumnDefinition41 column = [] {
    p::ColumnDefinition41 c = p::makeTextColumn("", p::ColumnType::LongLong);
    c.characterSet = p::kCharsetBinary;
    c.columnLength = 21;
    c.flags = p::kColumnNotNull | p::kColumnUnsigned | p::kColumnBinary;
    return c;
  }();
  column.name.assign(columnName);
  char digits[24];
  int n =
      std::snprintf(digits, sizeof digits, "%llu", static_cast<unsigned long long>(lastInsertId_));
  p::TextValue value(std::string_view(digits, static_cast<size_t>(n)));
  uint16_t status = sessionStatus();
  std::string& out = context_.scratch();
  out.clear();
  uint8_t seq = 1;
  p::encodeResultSetHead(out, seq, std::span(&column, 1), capabilities_, status);
  p::encodeTextRowPacket(out, seq, std::span(&value, 1));
  p::encodeResultSetEnd(out, seq, capabilities_, status);
  writeRaw(p::asBytes(out));
}

void ClientSession::writeError(const p::Error& error, uint8_t seq) {
  std::string& out = context_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  p::ErrPacket::fromError(error).encode(out);
  p::endPacket(out, header, seq);
  writeRaw(p::asBytes(out));
}

void ClientSession::onDrained() {
  if (backend_ && state_ == State::Executing) {
    backend_->resumeReading();
  } else if (backend_ && state_ == State::Piping) {
    backend_->resumeReading();
  }
}

void ClientSession::onClosed(int) {
  // The client went away; a backend mid-reply is closed (its server must not block on us).
  close();
}

}  // namespace rwproxy::session

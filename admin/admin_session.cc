#include "admin/admin_session.h"

#include <cctype>

#include "admin/admin_server.h"
#include "proxy/net/timer.h"
#include "proxy/protocol/column_definition.h"
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/protocol/text_row.h"

namespace rwproxy::admin {

namespace p = rwproxy::protocol;

namespace {

bool isLoopback(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "::ffff:127.0.0.1";
}

// The first word of a statement, upper-cased (for the stats user's read-only check).
std::string firstWord(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) {
    ++i;
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++]))));
  }
  return word;
}

}  // namespace

AdminSession::AdminSession(AdminServer& server, uint32_t id)
    : server_(server), id_(id), stream_(server.loop(), *this), input_(16 * 1024 * 1024) {}

AdminSession::~AdminSession() { close(); }

bool AdminSession::start(uv_stream_t* listener) {
  if (stream_.accept(listener) != 0) {
    return false;
  }
  stream_.peer(clientHost_, clientPort_);
  loopback_ = isLoopback(clientHost_);
  connectedMs_ = net::nowMs(server_.loop());
  input_.setMaxPayload(64 * 1024);  // until logged in: a login packet is small
  auth_ = std::make_unique<session::ServerAuth>(id_, session::ServerAuth::randomSalt());
  std::string& out = server_.scratch();
  out.clear();
  std::string version = "8.0.11 (rwproxy admin " + server_.executor().adminRuntime()->version + ")";
  auth_->greet(out, version, p::kCharsetUtf8GeneralCi);
  stream_.write(out);
  stream_.startReading();
  return true;
}

void AdminSession::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  stream_.close();
  server_.sessionClosed(*this);
}

void AdminSession::onClosed(int) { close(); }

void AdminSession::closeIfLoginExpired(uint64_t nowMs, uint64_t timeoutMs) {
  if (!loggedIn_ && nowMs - connectedMs_ > timeoutMs) {
    close();
  }
}

std::optional<std::string> AdminSession::passwordFor(std::string_view user) const {
  auto admin = server_.executor().adminRuntime();
  for (const auto& c : admin->adminCredentials) {
    if (c.user == user) {
      // The well-known default works only from this machine: fail closed.
      if (c.user == "admin" && c.password == "admin" && !loopback_) {
        return std::nullopt;
      }
      return c.password;
    }
  }
  for (const auto& c : admin->statsCredentials) {
    if (c.user == user) {
      if (c.user == "stats" && c.password == "stats" && !loopback_) {
        return std::nullopt;
      }
      return c.password;
    }
  }
  return std::nullopt;
}

void AdminSession::onRead(std::span<const uint8_t> data) {
  input_.feed(data);
  while (!closed_) {
    auto next = input_.next();
    if (!next) {
      const p::Error& e = next.error();
      writeError(e.code, e.sqlState, e.message, 0);
      close();
      return;
    }
    if (!next->has_value()) {
      break;
    }
    const p::LogicalPacket& packet = **next;
    if (!loggedIn_) {
      onLogin(packet.payload, packet.firstSequenceId);
    } else {
      onCommand(packet.payload);
    }
  }
  if (!closed_ && input_.buffered() == 0) {
    input_.releaseMemory();
  }
}

void AdminSession::onLogin(p::Bytes payload, uint8_t seq) {
  std::string& out = server_.scratch();
  out.clear();
  auto lookup = [this](std::string_view user) { return passwordFor(user); };
  auto host = [this]() -> const std::string& { return clientHost_; };
  auto step = auth_->onPacket(payload, seq, lookup, host, out);
  if (!out.empty()) {
    stream_.write(out);
  }
  if (step == session::ServerAuth::Step::Continue) {
    return;
  }
  if (step == session::ServerAuth::Step::Failed) {
    const p::Error& e = auth_->error();
    writeError(e.code, e.sqlState, e.message, auth_->nextSequence());
    close();
    return;
  }
  const std::string& user = auth_->response().username;
  auto admin = server_.executor().adminRuntime();
  statsOnly_ = true;
  for (const auto& c : admin->adminCredentials) {
    statsOnly_ = statsOnly_ && c.user != user;
  }
  capabilities_ = auth_->negotiatedCapabilities();
  loggedIn_ = true;
  input_.setMaxPayload(16 * 1024 * 1024);
  p::OkPacket ok;
  ok.statusFlags = p::kServerStatusAutocommit;
  out.clear();
  size_t header = p::beginPacket(out);
  ok.encode(out, capabilities_);
  uint8_t okSeq = auth_->nextSequence();
  p::endPacket(out, header, okSeq);
  stream_.write(out);
  auth_.reset();
}

bool AdminSession::allowedForStatsUser(std::string_view sql) const {
  std::string w = firstWord(sql);
  return w == "SELECT" || w == "SHOW";
}

void AdminSession::onCommand(p::Bytes payload) {
  auto command = p::commandOf(payload);
  if (!command) {
    writeError(command.error().code, command.error().sqlState, command.error().message);
    return;
  }
  switch (*command) {
    case p::Command::Quit:
      close();
      return;
    case p::Command::Ping:
    case p::Command::ResetConnection:
      writeOk(0, "");
      return;
    case p::Command::InitDb:
      writeOk(0, "");  // one namespace; USE is accepted and ignored, as ProxySQL does
      return;
    case p::Command::Query: {
      auto sql = p::decodeQuery(payload);
      if (!sql) {
        writeError(sql.error().code, sql.error().sqlState, sql.error().message);
        return;
      }
      if (statsOnly_ && !allowedForStatsUser(*sql)) {
        writeError(1227, "42000",
                   "Access denied: the stats user may only run SELECT and SHOW statements");
        return;
      }
      reply(server_.executor().execute(*sql));
      return;
    }
    default:
      writeError(1047, "08S01",
                 "Command " + std::string(p::commandName(*command)) +
                     " is not supported on the admin interface");
      return;
  }
}

void AdminSession::reply(const AdminReply& reply) {
  if (const auto* ok = std::get_if<Ok>(&reply)) {
    writeOk(ok->affectedRows, ok->info);
    return;
  }
  if (const auto* failure = std::get_if<Failure>(&reply)) {
    writeError(failure->code, failure->sqlState, failure->message);
    return;
  }
  const auto& rs = std::get<ResultSet>(reply);
  std::vector<p::ColumnDefinition41> columns;
  columns.reserve(rs.columns.size());
  for (const auto& name : rs.columns) {
    columns.push_back(p::makeTextColumn(name));
  }
  std::string& out = server_.scratch();
  out.clear();
  uint8_t seq = 1;
  p::encodeResultSetHead(out, seq, columns, capabilities_, p::kServerStatusAutocommit);
  std::vector<p::TextValue> values;
  for (const auto& row : rs.rows) {
    values.clear();
    for (const auto& v : row) {
      values.push_back(v ? p::TextValue(*v) : std::nullopt);
    }
    p::encodeTextRowPacket(out, seq, values);
  }
  p::encodeResultSetEnd(out, seq, capabilities_, p::kServerStatusAutocommit);
  stream_.write(out);
}

void AdminSession::writeOk(uint64_t affectedRows, const std::string& info) {
  p::OkPacket ok;
  ok.affectedRows = affectedRows;
  ok.statusFlags = p::kServerStatusAutocommit;
  ok.info = info;
  std::string& out = server_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  ok.encode(out, capabilities_);
  uint8_t seq = 1;
  p::endPacket(out, header, seq);
  stream_.write(out);
}

void AdminSession::writeError(uint16_t code, const std::string& sqlState,
                              const std::string& message, uint8_t seq) {
  std::string& out = server_.scratch();
  out.clear();
  size_t header = p::beginPacket(out);
  p::ErrPacket{code, sqlState, message}.encode(out);
  p::endPacket(out, header, seq);
  stream_.write(out);
}

}  // namespace rwproxy::admin

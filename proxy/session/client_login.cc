// The login half of ClientSession: greeting, password check, user policy, COM_CHANGE_USER.
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/session/client_session.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// The capabilities that change what the server sends: connections differing in them are not
// interchangeable.
constexpr uint32_t kWireFormatCapabilities = p::kClientFoundRows | p::kClientIgnoreSpace |
                                             p::kClientMultiStatements | p::kClientMultiResults |
                                             p::kClientPsMultiResults | p::kClientSessionTrack |
                                             p::kClientDeprecateEof | p::kClientInteractive;

constexpr size_t kMaxLoginPacket = 64 * 1024;

}  // namespace

std::optional<std::string> ClientSession::storedPassword(std::string_view user) const {
  const config::User* u = context_.runtime()->findFrontendUser(user);
  if (u == nullptr) {
    return std::nullopt;
  }
  return u->password;
}

bool ClientSession::start(uv_stream_t* server) {
  if (stream_.accept(server) != 0) {
    return false;
  }
  lastActivityMs_ = net::nowMs(context_.loop());
  const auto& rt = *context_.runtime();
  // A login packet is small; a client claiming megabytes here is broken or hostile.
  input_.setMaxPayload(kMaxLoginPacket);
  if (!context_.admitClient()) {
    // Like MySQL: refuse before the greeting, with a packet the client can show.
    writeError(p::Error{1040, "08004", "Too many connections"}, 0);
    close();
    return true;
  }
  admitted_ = true;
  salt_ = ServerAuth::randomSalt();
  auth_ = std::make_unique<ServerAuth>(id_, salt_);
  std::string& out = context_.scratch();
  out.clear();
  auth_->greet(out, rt.mysql.serverVersion, static_cast<uint8_t>(rt.mysql.defaultCharset));
  writeRaw(p::asBytes(out));
  stream_.startReading();
  return true;
}

void ClientSession::onLoginPacket(p::Bytes payload, uint8_t sequenceId) {
  std::string& out = context_.scratch();
  out.clear();
  auto lookup = [this](std::string_view user) { return storedPassword(user); };
  auto host = [this]() -> const std::string& { return clientHost(); };
  ServerAuth::Step step = auth_->onPacket(payload, sequenceId, lookup, host, out);
  if (!out.empty()) {
    writeRaw(p::asBytes(out));
  }
  switch (step) {
    case ServerAuth::Step::Continue:
      return;
    case ServerAuth::Step::Failed:
      context_.countLoginFailure();
      // Never log or echo the password; the error names only the user and host.
      writeError(auth_->error(), auth_->nextSequence());
      close();
      return;
    case ServerAuth::Step::Authenticated:
      finishLogin();
      return;
  }
}

bool ClientSession::checkUserPolicy(const config::User& user, uint8_t seq) {
  if (!user.active || !user.frontend) {
    writeError(ServerAuth::accessDenied(user.username, clientHost(), true), seq);
    return false;
  }
  if (!context_.admitUser(user.username, user.maxConnections)) {
    writeError(p::Error{1226, "42000",
                        "User '" + user.username +
                            "' has exceeded the 'max_user_connections' resource (current value: " +
                            std::to_string(user.maxConnections) + ")"},
               seq);
    return false;
  }
  userAdmitted_ = true;
  return true;
}

void ClientSession::finishLogin() {
  const auto& response = auth_->response();
  uint8_t seq = auth_->nextSequence();
  const config::User* user = context_.runtime()->findFrontendUser(response.username);
  if (user == nullptr || !checkUserPolicy(*user, seq)) {
    if (user == nullptr) {
      writeError(ServerAuth::accessDenied(response.username, clientHost(), true), seq);
    }
    close();
    return;
  }
  user_ = user->username;
  capabilities_ = auth_->negotiatedCapabilities();
  charset_ = response.characterSet;
  schema_ = response.database.value_or(user->defaultSchema);
  if (user->schemaLocked || schema_.empty()) {
    schema_ = user->defaultSchema;
  }
  setCredentials(user->password, auth_->stage1());
  defaultHostgroup_ = user->defaultHostgroup;
  fastForward_ = user->fastForward;
  transactionPersistent_ = user->transactionPersistent;
  loginOkSeq_ = seq;
  input_.setMaxPayload(static_cast<size_t>(context_.runtime()->mysql.maxAllowedPacket));
  auth_.reset();
  input_.clearExpectedSequence();
  if (fastForward_) {
    // The backend login happens first: a client must not see OK and then a dead connection.
    state_ = State::Connecting;
    hostgroup_ = defaultHostgroup_;
    commandStartMs_ = net::nowMs(context_.loop());
    pending_.clear();
    stream_.stopReading();
    startBackend();
    return;
  }
  state_ = State::Idle;
  writeOk(seq);
}

void ClientSession::handleChangeUser(p::Bytes payload) {
  auto cmd = p::ChangeUserCommand::decode(payload, capabilities_);
  if (!cmd) {
    writeError(cmd.error(), 1);
    close();
    return;
  }
  auto stored = storedPassword(cmd->username);
  const config::User* user = context_.runtime()->findFrontendUser(cmd->username);
  ServerAuth verifier(id_, salt_);
  if (!stored || user == nullptr ||
      !verifier.verifyChangeUser(*stored, cmd->authPluginName, p::asBytes(cmd->authResponse))) {
    writeError(ServerAuth::accessDenied(cmd->username, clientHost(), !cmd->authResponse.empty()),
               1);
    close();
    return;
  }
  // The old identity's connection carries the old user's state: never hand it over.
  dropBackend();
  if (userAdmitted_) {
    context_.releaseUser(user_);
    userAdmitted_ = false;
  }
  if (!checkUserPolicy(*user, 1)) {
    close();
    return;
  }
  user_ = user->username;
  schema_ = cmd->database.empty() ? user->defaultSchema : cmd->database;
  if (cmd->characterSet) {
    charset_ = static_cast<uint8_t>(*cmd->characterSet);
  }
  setCredentials(user->password, verifier.stage1());
  defaultHostgroup_ = user->defaultHostgroup;
  transactionPersistent_ = user->transactionPersistent;
  inTransaction_ = false;
  autocommitOff_ = false;
  pinReason_ = "";
  vars_.clear();
  lastInsertId_ = 0;
  statements_.reset();
  writeOk(1);
}

void ClientSession::setCredentials(const std::string& stored,
                                   const std::optional<p::Sha1Digest>& stage1) {
  // With the plaintext (even an empty one) we log in with it; with only the hash we need the
  // stage1 the client's own answer revealed.
  bool hashed = p::isNativePasswordHash(stored);
  credentials_.password = hashed ? "" : stored;
  credentials_.stage1 = hashed ? stage1 : std::nullopt;
}

BackendIdentity ClientSession::baseIdentity() const {
  BackendIdentity id;
  id.user = user_;
  // fast_forward passes the client's bytes through unchanged: the server must speak exactly
  // the dialect the client negotiated.
  id.capabilities = capabilities_ & kWireFormatCapabilities;
  id.charset = charset_;
  id.trackVariables = !fastForward_;
  return id;
}

BackendIdentity ClientSession::identityFor(const config::Server& server) const {
  BackendIdentity id = baseIdentity();
  id.host = server.hostname;
  id.port = server.port;
  id.hostgroup = server.hostgroupId;
  return id;
}

}  // namespace rwproxy::session

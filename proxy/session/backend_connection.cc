#include "proxy/session/backend_connection.h"

#include <unistd.h>
#include <uv.h>

#include "proxy/protocol/auth_switch.h"
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/protocol/handshake.h"
#include "proxy/protocol/handshake_response.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/session/session_tracking.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// Capabilities we always ask a server for; the wire-format ones come from the client.
constexpr uint32_t kBaseCapabilities =
    p::kClientLongPassword | p::kClientLongFlag | p::kClientProtocol41 | p::kClientTransactions |
    p::kClientSecureConnection | p::kClientPluginAuth | p::kClientPluginAuthLenencClientData |
    p::kClientConnectAttrs | p::kClientMultiResults | p::kClientPsMultiResults;

// ER_NET_READ_ERROR: a server-range code. Clients treat codes 2000-2999 in an ERR packet from
// a server as a malformed packet (libmariadb answers CR_MALFORMED_PACKET), so 2013 is no option.
p::Error lostConnection(const BackendIdentity& id, std::string_view what) {
  return p::Error{1158, "08S01",
                  "Lost connection to backend " + id.host + ":" + std::to_string(id.port) +
                      " (hostgroup " + std::to_string(id.hostgroup) + "): " + std::string(what)};
}

}  // namespace

BackendConnection::BackendConnection(net::Loop& loop, BackendIdentity identity, std::string schema)
    : loop_(&loop),
      stream_(loop, *this),
      identity_(std::move(identity)),
      schema_(std::move(schema)),
      login_(1024 * 1024) {
  createdMs_ = net::nowMs(loop);
  lastUsedMs_ = createdMs_;
}

BackendConnection::~BackendConnection() {
  close();
  if (detachedFd_ >= 0) {
    ::close(detachedFd_);
  }
}

bool BackendConnection::detach() {
  if (state_ != State::Ready || detachedFd_ >= 0) {
    return false;
  }
  int fd = stream_.release();
  if (fd < 0) {
    return false;
  }
  detachedFd_ = fd;
  listener_ = nullptr;
  slot_.leaveWorker();
  return true;
}

bool BackendConnection::attach(net::Loop& loop, pool::ServerStats* stats) {
  if (detachedFd_ < 0) {
    return false;
  }
  int fd = detachedFd_;
  detachedFd_ = -1;
  loop_ = &loop;
  if (stream_.adopt(loop, fd) != 0) {  // it closed fd
    state_ = State::Broken;
    return false;
  }
  if (stats != nullptr) {
    slot_.joinWorker(stats);
  }
  // Read while idle, as after login: a server that drops the connection is noticed at once.
  stream_.startReading();
  return true;
}

void BackendConnection::close() {
  if (state_ == State::Busy || state_ == State::Piping) {
    stream_.reset();
  } else {
    stream_.close();
  }
  if (connectTimer_) {
    connectTimer_->stop();  // not freed here: close() may run inside the timer's own callback
  }
  state_ = State::Broken;
}

void BackendConnection::connect(const BackendCredentials& credentials, uint64_t timeoutMs,
                                BackendListener& listener) {
  credentials_ = credentials;
  listener_ = &listener;
  state_ = State::Connecting;
  int rc = stream_.connect(identity_.host, identity_.port);
  // The timer also reports an immediate failure: the caller must not see a callback inside
  // connect(), and the timer dies with this object (a posted task would not).
  connectTimer_ = std::make_unique<net::Timer>(*loop_, [this, rc] {
    if (rc != 0) {
      fail(lostConnection(identity_, std::string("connect: ") + uv_strerror(rc)));
      return;
    }
    fail(p::Error{
        9001, "HY000",
        "Timeout connecting to backend " + identity_.host + ":" + std::to_string(identity_.port)});
  });
  connectTimer_->start(rc != 0 ? 0 : timeoutMs);
}

void BackendConnection::onConnected(int uvError) {
  if (uvError != 0) {
    fail(lostConnection(identity_, std::string("connect: ") + uv_strerror(uvError)));
    return;
  }
  state_ = State::Greeting;
  stream_.startReading();
}

bool isLoginRejection(const p::Error& error) {
  return error.code == 1045 || error.code == 1044 || error.code == 1049 || error.code == 1226 ||
         error.code == 1251;
}

void BackendConnection::fail(p::Error error) {
  if (state_ == State::Broken) {
    return;
  }
  bool connecting =
      state_ == State::Connecting || state_ == State::Greeting || state_ == State::Authenticating;
  close();
  countFailure(connecting, error);
  if (listener_ != nullptr) {
    listener_->onBackendFailed(*this, error);
  }
}

void BackendConnection::countFailure(bool connecting, const p::Error& error) {
  pool::ServerStats* stats = slot_.stats();
  if (stats == nullptr) {
    return;
  }
  if (!connecting) {
    ++stats->totals.connBroken;
    return;
  }
  ++stats->totals.connErr;
  if (!isLoginRejection(error)) {
    stats->shared->recordConnectFailure();
  }
}

void BackendConnection::onClosed(int uvError) {
  fail(lostConnection(identity_, uvError == 0 ? "closed by the server" : uv_strerror(uvError)));
}

void BackendConnection::onRead(std::span<const uint8_t> data) {
  lastUsedMs_ = net::nowMs(*loop_);
  switch (state_) {
    case State::Greeting:
    case State::Authenticating: {
      login_.feed(data);
      while (state_ == State::Greeting || state_ == State::Authenticating) {
        auto next = login_.next();
        if (!next) {
          fail(next.error());
          return;
        }
        if (!next->has_value()) {
          break;
        }
        onLoginPacket(**next);
      }
      return;
    }
    case State::Busy:
      if (pool::ServerStats* stats = slot_.stats()) {
        stats->totals.bytesRecv += data.size();
      }
      onReplyBytes(data);
      return;
    case State::Piping:
      if (pool::ServerStats* stats = slot_.stats()) {
        stats->totals.bytesRecv += data.size();
      }
      listener_->onBackendReply(*this, data);
      return;
    case State::Ready:
      fail(lostConnection(identity_, "unexpected data from an idle server connection"));
      return;
    case State::Connecting:
    case State::Broken:
      return;
  }
}

std::string BackendConnection::authResponse(std::string_view plugin, p::Bytes salt) const {
  if (plugin == p::kCachingSha2Plugin && !credentials_.password.empty()) {
    auto d = p::scrambleCachingSha2(credentials_.password, salt);
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
  }
  if (!credentials_.password.empty()) {
    return p::nativeAuthResponse(credentials_.password, salt);
  }
  if (credentials_.stage1) {
    auto d = p::scrambleFromStage1(*credentials_.stage1, salt);
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
  }
  return "";  // an empty password
}

void BackendConnection::sendLogin(std::string_view plugin, p::Bytes salt) {
  p::HandshakeResponse41 resp;
  resp.capabilities = capabilities_;
  resp.maxPacketSize = 1u << 30;
  resp.characterSet = identity_.charset;
  resp.username = identity_.user;
  // Without the plaintext only mysql_native_password can work; ask for it.
  loginPlugin_ = (plugin == p::kCachingSha2Plugin && !credentials_.password.empty())
                     ? std::string(p::kCachingSha2Plugin)
                     : std::string(p::kNativePasswordPlugin);
  resp.authResponse = authResponse(loginPlugin_, salt);
  if (!schema_.empty()) {
    resp.database = schema_;
  }
  resp.authPluginName = loginPlugin_;
  resp.connectAttributes = {{"_client_name", "rwproxy"}, {"program_name", "rwproxy"}};
  std::string out;
  size_t header = p::beginPacket(out);
  resp.encode(out);
  loginSeq_ = 1;
  p::endPacket(out, header, loginSeq_);
  stream_.write(out);
}

void BackendConnection::onLoginPacket(const p::LogicalPacket& packet) {
  p::Bytes pl = packet.payload;
  if (trackingAsked_) {
    // A server that refuses the list still serves; its tracked SETs just pin.
    tracksVariables_ = !pl.empty() && pl[0] == p::kOkHeader;
    finishLogin();
    return;
  }
  loginSeq_ = static_cast<uint8_t>(packet.lastSequenceId + 1);
  if (!pl.empty() && pl[0] == p::kErrHeader) {
    auto err = p::ErrPacket::decode(pl, state_ == State::Greeting ? 0 : capabilities_);
    fail(err ? err->toError() : err.error());
    return;
  }
  if (state_ == State::Greeting) {
    auto hello = p::HandshakeV10::decode(pl);
    if (!hello) {
      fail(hello.error());
      return;
    }
    if ((hello->capabilities & p::kClientProtocol41) == 0) {
      fail(lostConnection(identity_, "server does not speak protocol 4.1"));
      return;
    }
    threadId_ = hello->connectionId;
    capabilities_ = (kBaseCapabilities | identity_.capabilities) & hello->capabilities;
    if (!schema_.empty()) {
      capabilities_ |= p::kClientConnectWithDb & hello->capabilities;
    }
    state_ = State::Authenticating;
    std::string_view salt = hello->authPluginData;
    if (salt.size() > 20) {
      salt = salt.substr(0, 20);
    }
    sendLogin(hello->authPluginName, p::asBytes(salt));
    return;
  }
  // Authenticating.
  uint8_t head = pl.empty() ? 0xFF : pl[0];
  if (head == p::kOkHeader) {
    if (auto ok = p::OkPacket::decode(pl, capabilities_)) {
      autocommit_ = (ok->statusFlags & p::kServerStatusAutocommit) != 0;
    }
    if (identity_.trackVariables && wantsSessionTracking(capabilities_)) {
      askSessionTracking();
      return;
    }
    finishLogin();
    return;
  }
  std::string reply;
  if (head == p::kEofHeader) {
    auto sw = p::AuthSwitchRequest::decode(pl);
    if (!sw) {
      fail(sw.error());
      return;
    }
    if (sw->pluginName != p::kNativePasswordPlugin && sw->pluginName != p::kCachingSha2Plugin) {
      fail(p::Error{1251, "08004",
                    "Backend asks for authentication plugin '" + sw->pluginName +
                        "', which rwproxy does not support"});
      return;
    }
    loginPlugin_ = sw->pluginName;
    reply = authResponse(loginPlugin_, p::asBytes(sw->salt()));
  } else if (head == 0x01 && loginPlugin_ == p::kCachingSha2Plugin) {
    if (pl.size() >= 2 && pl[1] == 0x03) {
      return;  // fast auth succeeded; the OK follows
    }
    fail(p::Error{1045, "28000",
                  "Backend requires caching_sha2_password full authentication, which needs TLS "
                  "(not supported yet): log in once directly to fill the server's cache"});
    return;
  } else {
    fail(lostConnection(identity_, "unexpected packet during login"));
    return;
  }
  std::string out;
  p::appendPacket(out, loginSeq_, reply);
  stream_.write(out);
}

void BackendConnection::askSessionTracking() {
  std::string out;
  size_t header = p::beginPacket(out);
  p::encodeQuery(out, sessionTrackingStatement());
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
  trackingAsked_ = true;
  stream_.write(out);
}

void BackendConnection::finishLogin() {
  state_ = State::Ready;
  connectTimer_.reset();
  login_.releaseMemory();
  if (pool::ServerStats* stats = slot_.stats()) {
    ++stats->totals.connOk;
    stats->shared->health.recordSuccess();
  }
  // Keep reading while idle: a server that closes an idle connection is noticed at once.
  listener_->onBackendReady(*this);
}

void BackendConnection::execute(p::Bytes framedCommand, ReplyShape shape,
                                BackendListener& listener) {
  if (pool::ServerStats* stats = slot_.stats()) {
    ++stats->totals.queries;
    stats->totals.bytesSent += framedCommand.size();
  }
  send(framedCommand, shape, listener);
}

void BackendConnection::ping(BackendListener& listener) {
  static constexpr uint8_t kComPing[] = {1, 0, 0, 0, static_cast<uint8_t>(p::Command::Ping)};
  pingSentNs_ = uv_hrtime();
  send(p::Bytes(kComPing, sizeof kComPing), ReplyShape::OkOrError, listener);
}

void BackendConnection::writeRaw(p::Bytes bytes) {
  if (pool::ServerStats* stats = slot_.stats()) {
    stats->totals.bytesSent += bytes.size();
  }
  stream_.write(bytes);
}

void BackendConnection::send(p::Bytes framedCommand, ReplyShape shape, BackendListener& listener) {
  listener_ = &listener;
  lastUsedMs_ = net::nowMs(*loop_);
  tracker_.begin(shape, (capabilities_ & p::kClientDeprecateEof) != 0);
  scanner_.reset();
  stream_.write(framedCommand);
  if (tracker_.done()) {
    // No reply expected (COM_STMT_CLOSE and friends).
    state_ = State::Ready;
    listener.onBackendReplyDone(*this);
    return;
  }
  state_ = State::Busy;
}

void BackendConnection::onReplyBytes(std::span<const uint8_t> data) {
  size_t used = scanner_.scan(
      data,
      [this](uint32_t length, uint8_t, p::Bytes payload) {
        return tracker_.onPacket(length, payload);
      },
      [this](uint32_t length, uint8_t first) { return tracker_.keepWhole(length, first); });
  BackendListener* listener = listener_;
  if (used > 0) {
    listener->onBackendReply(*this, data.first(used));
  }
  if (state_ != State::Busy) {
    return;  // the listener closed us
  }
  if (tracker_.done()) {
    if (used < data.size() || !tracker_.wellFormed()) {
      fail(lostConnection(identity_, "the server sent data the protocol does not allow"));
      return;
    }
    state_ = State::Ready;
    listener->onBackendReplyDone(*this);
  }
}

}  // namespace rwproxy::session

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "proxy/net/loop.h"
#include "proxy/net/tcp_stream.h"
#include "proxy/net/timer.h"
#include "proxy/pool/server_load.h"
#include "proxy/protocol/auth.h"
#include "proxy/protocol/packet.h"
#include "proxy/protocol/result.h"
#include "proxy/session/backend_statements.h"
#include "proxy/session/packet_scanner.h"
#include "proxy/session/reply_tracker.h"
#include "proxy/session/session_vars.h"

namespace rwproxy::session {

// What makes two backend connections interchangeable for a client: the same server, the same
// login and the same wire-format choices.
struct BackendIdentity {
  std::string host;
  int port = 0;
  int hostgroup = 0;
  std::string user;
  uint32_t capabilities = 0;  // the client-facing choices that change the wire format
  uint8_t charset = 0;
  // Ask the server to report the replayable variables in its OK packets when the capabilities
  // allow it (session_tracking.h); off for fast_forward and side connections.
  bool trackVariables = false;

  bool operator==(const BackendIdentity&) const = default;
};

// How to log in: the plaintext when the operator stored one, else SHA1(password) recovered from
// the client's own login (enough for mysql_native_password).
struct BackendCredentials {
  std::string password;  // plaintext, or "" when only the hash is known
  std::optional<protocol::Sha1Digest> stage1;
};

class BackendConnection;

// Receives a backend connection's events. Calls may destroy the connection only through
// Loop::deferredDelete.
class BackendListener {
 public:
  virtual ~BackendListener() = default;
  virtual void onBackendReady(BackendConnection& backend) = 0;
  // Connecting or logging in failed, or the connection broke: it is unusable now.
  virtual void onBackendFailed(BackendConnection& backend, const protocol::Error& error) = 0;
  // Reply bytes, exactly as the server sent them (whole or partial packets).
  virtual void onBackendReply(BackendConnection& backend, protocol::Bytes bytes) = 0;
  // The reply to the last execute() is complete; tracker() tells how it ended.
  virtual void onBackendReplyDone(BackendConnection& backend) = 0;
};

// One connection to a MariaDB/MySQL server: non-blocking connect, login, then commands whose
// replies stream through to the listener packet by packet.
class BackendConnection : public net::Deletable, private net::StreamHandler {
 public:
  enum class State { Connecting, Greeting, Authenticating, Ready, Busy, Piping, Broken };

  BackendConnection(net::Loop& loop, BackendIdentity identity, std::string schema);
  ~BackendConnection() override;

  // Starts connecting; the listener hears onBackendReady or onBackendFailed within
  // `timeoutMs`.
  void connect(const BackendCredentials& credentials, uint64_t timeoutMs,
               BackendListener& listener);

  // Sends one command (complete, framed packets starting at sequence 0) and streams the reply.
  // REQUIRES: state() == Ready.
  void execute(protocol::Bytes framedCommand, ReplyShape shape, BackendListener& listener);
  // Sends COM_PING (the pool validating an idle connection; not counted as a query).
  // REQUIRES: state() == Ready.
  void ping(BackendListener& listener);

  // fast_forward: from now on every byte from the server goes to onBackendReply untouched.
  void startPiping() { state_ = State::Piping; }
  // Raw bytes to the server (fast_forward).
  void writeRaw(protocol::Bytes bytes);

  // Flow control: stop/resume reading replies while the client is slow.
  void pauseReading() { stream_.stopReading(); }
  void resumeReading() { stream_.startReading(); }

  void setListener(BackendListener* listener) { listener_ = listener; }
  // The connection counts against its server's max_connections while it lives; its traffic,
  // logins and failures are counted in the slot's ServerStats (and failures to connect count
  // against the server's health).
  void setSlot(pool::ServerSlot slot) { slot_ = std::move(slot); }
  // The server row this connection counts against; nullptr when it has no slot.
  pool::ServerStats* serverStats() const { return slot_.stats(); }
  // Closes the socket (RST when mid-reply: the server must not think the client read it).
  void close();

  // Moving an idle connection to another worker thread. detach() (on the current worker's
  // thread) takes the socket off this loop and out of the worker's ServerStats; the connection
  // keeps its login, session state, statements and max_connections slot. attach() (on the new
  // worker's thread) resumes it there, counting in `stats` (that worker's row for the same
  // server). detach() needs a Ready connection with nothing in flight; false when it cannot
  // move (it stays usable here). attach() false: the socket is lost, close the connection.
  bool detach();
  bool attach(net::Loop& loop, pool::ServerStats* stats);
  bool detached() const { return detachedFd_ >= 0; }
  // The server's shared state (max_connections count, health), also while detached.
  pool::ServerShared* serverShared() const { return slot_.shared(); }

  State state() const { return state_; }
  bool ready() const { return state_ == State::Ready; }
  const BackendIdentity& identity() const { return identity_; }
  const std::string& schema() const { return schema_; }
  void setSchema(std::string schema) { schema_ = std::move(schema); }
  // The replayable session state run on this connection since its login.
  SessionVars& vars() { return vars_; }
  const SessionVars& vars() const { return vars_; }
  // What LAST_INSERT_ID() returns here: the last non-zero insert id of an OK (0 after login).
  uint64_t lastInsertId() const { return lastInsertId_; }
  // The prepared statements this connection holds.
  BackendStatements& statements() { return statements_; }
  void setLastInsertId(uint64_t id) { lastInsertId_ = id; }
  // The connection's autocommit, from the server's status flags (login OK, then each reply).
  bool autocommit() const { return autocommit_; }
  void setAutocommit(bool on) { autocommit_ = on; }
  // The server reports the replayable variables' new values in its OK packets (set at login,
  // see session_tracking.h; COM_RESET_CONNECTION takes the server back to its defaults).
  bool tracksVariables() const { return tracksVariables_; }
  void setTracksVariables(bool on) { tracksVariables_ = on; }
  uint32_t serverThreadId() const { return threadId_; }
  uint32_t capabilities() const { return capabilities_; }
  const ReplyTracker& tracker() const { return tracker_; }
  uint64_t lastUsedMs() const { return lastUsedMs_; }
  uint64_t createdMs() const { return createdMs_; }
  // When the last ping() was sent (uv_hrtime nanoseconds).
  uint64_t pingSentNs() const { return pingSentNs_; }

 private:
  void onRead(std::span<const uint8_t> data) override;
  void onClosed(int uvError) override;
  void onConnected(int uvError) override;

  void onLoginPacket(const protocol::LogicalPacket& packet);
  // After the login's OK: the session tracking step (session_tracking.h), then Ready.
  void askSessionTracking();
  void finishLogin();
  void sendLogin(std::string_view plugin, protocol::Bytes salt);
  std::string authResponse(std::string_view plugin, protocol::Bytes salt) const;
  void fail(protocol::Error error);
  void countFailure(bool connecting, const protocol::Error& error);
  void send(protocol::Bytes framedCommand, ReplyShape shape, BackendListener& listener);
  void onReplyBytes(std::span<const uint8_t> data);

  net::Loop* loop_;
  net::TcpStream stream_;
  BackendIdentity identity_;
  std::string schema_;
  SessionVars vars_;
  uint64_t lastInsertId_ = 0;
  bool autocommit_ = true;
  BackendStatements statements_;
  BackendCredentials credentials_;
  BackendListener* listener_ = nullptr;
  State state_ = State::Connecting;
  std::unique_ptr<net::Timer> connectTimer_;
  protocol::PacketAssembler login_;  // only during the login phase
  uint8_t loginSeq_ = 0;
  bool trackingAsked_ = false;  // the login's last step: the tracking SET's reply is next
  bool tracksVariables_ = false;
  std::string loginPlugin_;
  uint32_t capabilities_ = 0;
  uint32_t threadId_ = 0;
  PacketScanner<ReplyTracker::kPrefixBytes> scanner_;
  ReplyTracker tracker_;
  pool::ServerSlot slot_;
  uint64_t createdMs_ = 0;
  uint64_t lastUsedMs_ = 0;
  uint64_t pingSentNs_ = 0;
  int detachedFd_ = -1;  // the socket while between loops
};

// Errors a server gives one login, not every login: a wrong password, an unknown or forbidden
// schema, a user's connection limit, an unsupported auth plugin. They do not make the server
// unhealthy.
bool isLoginRejection(const protocol::Error& error);

}  // namespace rwproxy::session

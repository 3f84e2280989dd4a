#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/cache/query_cache.h"
#include "proxy/net/loop.h"
#include "proxy/net/tcp_stream.h"
#include "proxy/protocol/packet.h"
#include "proxy/protocol/result.h"
#include "proxy/session/backend_connection.h"
#include "proxy/session/server_auth.h"
#include "proxy/session/session_context.h"
#include "rules/decision.h"
#include "sql/digest.h"

namespace rwproxy::session {

// One application connection on the app port: the login, then each command forwarded to a
// backend connection borrowed from the worker's pool, its reply streamed straight back.
//
// State diagram (proxy/session/README.md):
//   Login -> Idle <-> {Connecting -> SyncingSchema -> Executing} ; Idle -> Piping (fast_forward)
//   any -> Closed
class ClientSession : public net::Deletable, private net::StreamHandler, private BackendListener {
 public:
  // Draining: a protocol error was answered; the rest of what the client sends is read and
  // dropped until it hangs up (or a few seconds pass), so the ERR reaches it rather than a
  // reset connection.
  enum class State { Login, Idle, Connecting, SyncingSchema, Executing, Piping, Draining, Closed };

  ClientSession(SessionContext& context, uint32_t id);
  ~ClientSession() override;

  // Takes the pending connection of `server` and sends the greeting.
  bool start(uv_stream_t* server);
  // Ends the session: the one way out. Sends `error` first when given.
  void close(const std::optional<protocol::Error>& error = std::nullopt);
  // Answers a broken packet with `error`, then drains the client (State::Draining).
  void closeAfterError(const protocol::Error& error);
  // KILL from another session: closes, and stops the running query on its server.
  void kill(bool queryOnly);
  // Called every second by the worker: handshake and idle timeouts.
  void onTick(uint64_t nowMs);
  // Shutdown: close now when idle, else after the running command.
  void closeWhenIdle();

  uint32_t id() const { return id_; }
  State state() const { return state_; }
  const std::string& user() const { return user_; }
  const std::string& schema() const { return schema_; }
  const std::string& clientHost() const { return clientHost_; }
  const BackendConnection* backend() const { return backend_.get(); }
  // Why the backend connection stays with this client between commands ("" when it does not).
  const char* pinReason() const { return pinReason_; }

 private:
  // net::StreamHandler
  void onRead(std::span<const uint8_t> data) override;
  void onDrained() override;
  void onClosed(int uvError) override;
  // BackendListener
  void onBackendReady(BackendConnection& backend) override;
  void onBackendFailed(BackendConnection& backend, const protocol::Error& error) override;
  void onBackendReply(BackendConnection& backend, protocol::Bytes bytes) override;
  void onBackendReplyDone(BackendConnection& backend) override;

  // Input.
  void drainBuffered();
  void handlePacket(protocol::Bytes payload, uint8_t sequenceId);
  bool busy() const;

  // Login (client_login.cc).
  void onLoginPacket(protocol::Bytes payload, uint8_t sequenceId);
  void finishLogin();
  bool checkUserPolicy(const config::User& user, uint8_t seq);
  void handleChangeUser(protocol::Bytes payload);
  std::optional<std::string> storedPassword(std::string_view user) const;
  void setCredentials(const std::string& stored, const std::optional<protocol::Sha1Digest>& stage1);

  // Commands (client_session.cc).
  void handleCommand(protocol::Bytes payload);
  void handleQuery(protocol::Bytes payload);
  // Runs the query rules; false when they answered the client themselves. May point `payload`
  // at a rewritten query.
  bool applyRules(const rules::RuleSet& ruleSet, std::string_view query,
                  const sql::DigestResult& digest, protocol::Bytes& payload);
  // At the end of a COM_QUERY's reply: digest stats and the events log.
  void recordQuery(const BackendConnection& backend);
  void logQueryEvent(int hostgroup, std::string_view server, uint64_t durationUs, uint64_t rowsSent,
                     uint64_t rowsAffected);
  void handleKill(uint64_t id, bool queryOnly);
  void startMirror(const rules::RuleSet& ruleSet, rules::QueryContext ctx,
                   const rules::Decision& decision);
  void forward(protocol::Bytes payload, ReplyShape shape);
  void startBackend();
  void connectBackend();
  void sendToBackend();
  void finishCommand();
  void backendLost(const protocol::Error& error);
  void releaseBackend();
  void dropBackend();
  BackendIdentity identityFor(const config::Server& server) const;
  // Who logs in, with which wire format; no server chosen yet.
  BackendIdentity baseIdentity() const;

  // The query cache (client_cache.cc). answerFromCache: true when the cache answered the
  // query; otherwise a cacheable query's reply is captured on its way to the client and stored
  // at its end by storeInCache.
  bool answerFromCache(protocol::Bytes payload);
  void storeInCache(const BackendConnection& backend);
  bool cacheAllowed() const;

  // Output.
  void writeOk(uint8_t seq, uint16_t extraStatus = 0, std::string_view info = {});
  void writeError(const protocol::Error& error, uint8_t seq);
  void writeRaw(protocol::Bytes bytes);

  SessionContext& context_;
  uint32_t id_;
  State state_ = State::Login;
  net::TcpStream stream_;
  std::string clientHost_;
  int clientPort_ = 0;
  std::string proxyHost_;  // the listener's address, for proxy_addr / proxy_port rules
  int proxyPort_ = 0;
  int nextFlagIn_ = 0;                // next_query_flagIN of the previous query
  std::unique_ptr<ServerAuth> auth_;  // only during the login
  std::array<uint8_t, 20> salt_{};    // kept for COM_CHANGE_USER
  protocol::PacketAssembler input_;
  uint64_t lastActivityMs_ = 0;
  bool admitted_ = false;
  bool userAdmitted_ = false;
  bool closeWhenIdle_ = false;
  uint8_t loginOkSeq_ = 0;  // the sequence id of the login's final OK

  // Who the client is and what it asked for.
  std::string user_;
  std::string schema_;
  uint32_t capabilities_ = 0;
  uint8_t charset_ = 0;
  BackendCredentials credentials_;
  int defaultHostgroup_ = 0;
  bool fastForward_ = false;
  bool transactionPersistent_ = true;

  // The command in flight.
  std::unique_ptr<BackendConnection> backend_;
  std::string pending_;        // the framed command while a backend is being made ready
  std::string syncReply_;      // the COM_INIT_DB reply while syncing a borrowed connection
  std::string pendingSchema_;  // COM_INIT_DB / USE: the schema that becomes current on OK
  ReplyShape shape_ = ReplyShape::None;
  bool statementStateless_ = false;
  const char* statementReason_ = "";  // why the statement in flight would pin
  bool forwardedAny_ = false;
  int hostgroup_ = 0;
  config::RuntimePtr commandRuntime_;  // keeps failedServers_ valid across a reload
  std::vector<const config::Server*> failedServers_;
  uint64_t commandStartMs_ = 0;
  const char* pinReason_ = "";
  // The query in flight, for stats_mysql_query_digest and the events log.
  uint64_t queryDigest_ = 0;
  uint64_t queryStartNs_ = 0;
  bool trackQuery_ = false;
  bool logQuery_ = false;
  std::string loggedQuery_;  // only for rules with log=1
  bool inTransaction_ = false;
  bool autocommitOff_ = false;  // SET autocommit=0: the next statement opens a transaction
  // The query cache: the rules' cache_ttl and cache_empty_result for the query in flight, and
  // its reply on the way into the cache.
  int cacheTtlMs_ = 0;
  std::optional<bool> cacheEmptyResult_;
  cache::ReplyCapture cacheCapture_;
};

}  // namespace rwproxy::session

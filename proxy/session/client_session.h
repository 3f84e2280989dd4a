#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/cache/query_cache.h"
#include "proxy/net/loop.h"
#include "proxy/net/tcp_stream.h"
#include "proxy/net/timer.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/packet.h"
#include "proxy/protocol/result.h"
#include "proxy/session/backend_connection.h"
#include "proxy/session/server_auth.h"
#include "proxy/session/session_context.h"
#include "proxy/session/session_tracking.h"
#include "proxy/session/session_vars.h"
#include "proxy/session/stmt_registry.h"
#include "rules/decision.h"
#include "sql/digest.h"

namespace rwproxy::session {

// One application connection on the app port: the login, then each command forwarded to a
// backend connection borrowed from the worker's pool, its reply streamed straight back.
//
// State diagram (proxy/session/README.md):
//   Login -> Idle <-> {Connecting -> Syncing -> Executing} ; Idle -> Piping (fast_forward)
//   any -> Closed
// A client that reads slower than the proxy sends: stop reading the server (or answering from
// the cache) beyond this much unsent data, so a huge result streams through in bounded memory.
inline constexpr size_t kMaxPendingToClient = 1024 * 1024;

class ClientSession : public net::Deletable, private net::StreamHandler, private BackendListener {
 public:
  // Draining: a protocol error was answered; the rest of what the client sends is read and
  // dropped until it hangs up (or a few seconds pass), so the ERR reaches it rather than a
  // reset connection.
  // Waiting: every server of the hostgroup is at max_connections; queued on the worker.
  enum class State {
    Login,
    Idle,
    Connecting,
    Waiting,
    Syncing,
    Executing,
    Piping,
    Draining,
    Closed
  };

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
  // Since when the command in flight waits for a backend connection (loop ms).
  uint64_t waitingSinceMs() const { return waitSinceMs_; }
  // The worker's wait queue: try again to get a backend connection (State::Waiting only).
  void retryBackend();
  // Another worker answered this session's request for an idle connection (see shouldBorrow).
  void onBorrowAnswer(uint32_t ask);
  // Shutdown: close now when idle, else after the running command.
  void closeWhenIdle();

  uint32_t id() const { return id_; }
  State state() const { return state_; }
  const std::string& user() const { return user_; }
  const std::string& schema() const { return schema_; }
  // The client's address, looked up when first needed (most sessions never need it).
  const std::string& clientHost() const {
    resolvePeer();
    return clientHost_;
  }
  const BackendConnection* backend() const { return backend_.get(); }
  // Why the backend connection stays with this client between commands ("" when it does not).
  const char* pinReason() const { return pinReason_; }
  // For stats_mysql_processlist.
  int clientPort() const {
    resolvePeer();
    return clientPort_;
  }
  int hostgroup() const { return hostgroup_; }
  bool inTransaction() const { return inTransaction_; }
  // COM_STMT_SEND_LONG_DATA waits on the held connection for its COM_STMT_EXECUTE.
  // Server-side state of a statement that lives on the held connection: "long_data" (sent for
  // the next execute) or "cursor" (open, not yet fetched to its end); nullptr when none.
  const char* statementHold() const;
  bool fastForward() const { return fastForward_; }
  uint64_t commandStartMs() const { return commandStartMs_; }
  uint64_t lastActivityMs() const { return lastActivityMs_; }
  // The digest of the query in flight (its text is in the worker's digest stats); 0 if none.
  uint64_t runningDigest() const {
    bool running = state_ == State::Connecting || state_ == State::Waiting ||
                   state_ == State::Syncing || state_ == State::Executing;
    return running && trackQuery_ ? queryDigest_ : 0;
  }

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
  // At the end of a tracked SET: the values the server reported become the client's and the
  // connection's literal assignments; false (the connection stays pinned) when the report does
  // not prove them all (session_tracking.h).
  bool learnTrackedSet(BackendConnection& backend);
  void startMirror(const rules::RuleSet& ruleSet, rules::QueryContext ctx,
                   const rules::Decision& decision);
  void forward(protocol::Bytes payload, ReplyShape shape);
  // The borrowed connection has the client's schema, session variables and (when the
  // statement needs it) LAST_INSERT_ID().
  bool backendInSync() const;
  // Its session variables, autocommit and (when needed) LAST_INSERT_ID() are the client's.
  bool variablesInSync() const;
  // Sends what brings the connection in line (COM_INIT_DB, then one SET); false when nothing
  // had to be sent.
  bool syncBackend();
  void onSyncDone(BackendConnection& backend);
  // SELECT LAST_INSERT_ID() answered from the last OK packet.
  void answerLastInsertId(std::string_view columnName);
  void startBackend();
  void connectBackend();
  // Every server is full: wait in the worker's queue, or fail once the wait is too long.
  void waitForBackend();
  // Every server of the hostgroup is full: wait, counted in each server's `waiting` so that
  // other workers hand over their idle connections to them (pool/README.md).
  void waitForFullServers();
  void stopWaitingOnServers();
  // The running command may run again if its connection breaks before any reply.
  bool canRetryCommand() const;
  // The schema the borrowed connection must be on: the client's, or the statement's own when
  // the statement is to be prepared there first.
  std::string_view syncSchema() const;
  // Adds `failed`'s server to failedServers_; true when the hostgroup has another one to try.
  bool anotherServerFor(const BackendConnection& failed);
  // No idle connection here: when other workers have some, ask them and wait briefly (true).
  bool shouldBorrow(const pool::ServerStats& stats, const BackendIdentity& identity);
  void noteWaitOver(bool timedOut);
  // Rule `timeout` / mysql-default_query_timeout: past it, KILL QUERY on the server.
  void armQueryTimeout(int64_t timeoutMs);
  void onQueryTimeout();
  // The server's ERR for a query we killed on timeout, told the client in plain words.
  bool replaceTimeoutError(const ReplyTracker& tracker, protocol::Bytes bytes);
  void sendToBackend();
  void finishCommand();
  // The per-command state cleared (timeout, retry, sync and tracking leftovers), without
  // reading the next command: also for commands answered without a backend.
  void resetCommand();
  void backendLost(const protocol::Error& error);
  void releaseBackend();
  void dropBackend();
  BackendIdentity identityFor(const config::Server& server) const;
  // Who logs in, with which wire format; no server chosen yet.
  BackendIdentity baseIdentity() const;

  // Prepared statements (client_stmt.cc).
  struct ClientStatement {
    PreparedStatementPtr stmt;
    int hostgroup = 0;
    uint64_t digest = 0;
    std::string paramTypes;   // 2 bytes a parameter, from the last execute that sent them
    bool longData = false;    // COM_STMT_SEND_LONG_DATA since the last execute or reset
    bool cursorOpen = false;  // the server opened a cursor (CURSOR_EXISTS) not yet exhausted
  };
  using ClientStatements = std::unordered_map<uint32_t, ClientStatement>;
  void handleStatementCommand(protocol::Command command, protocol::Bytes payload);
  void handlePrepare(protocol::Bytes payload);
  void handleExecute(ClientStatement& cs, protocol::Bytes payload);
  // After an execute or fetch: whether the statement's cursor is open on the server now.
  void noteCursor(const ReplyTracker& reply);
  // The held connection is gone, and with it every statement's long data and cursor.
  void forgetStatementHolds();
  void onClientPrepareDone(BackendConnection& backend);
  // Answers the client's COM_STMT_PREPARE from a registered statement.
  void answerPrepare(const PreparedStatementPtr& stmt, int hostgroup, uint64_t digest);
  // The backend's id in place of the client's, in the framed command about to be sent.
  void patchStatementId(std::string& framed) const;
  // What the backend connection lacks for the statement in flight: COM_STMT_PREPARE it.
  void prepareOnBackend();
  void closeOnBackend(BackendConnection& backend, uint32_t serverId);
  size_t maxStatementsPerConnection() const;
  // The query cache (client_cache.cc). answerFromCache: true when the cache answered the
  // query; otherwise a cacheable query's reply is captured on its way to the client and stored
  // at its end by storeInCache.
  bool answerFromCache(protocol::Bytes payload);
  void storeInCache(const BackendConnection& backend);
  bool cacheAllowed() const;

  // Output.
  // The status flags the client's session has (in transaction, autocommit), for replies the
  // proxy makes itself.
  uint16_t sessionStatus() const;
  void writeOk(uint8_t seq, uint16_t extraStatus = 0, std::string_view info = {});
  void writeError(const protocol::Error& error, uint8_t seq);
  void writeRaw(protocol::Bytes bytes);

  SessionContext& context_;
  uint32_t id_;
  State state_ = State::Login;
  net::TcpStream stream_;
  void resolvePeer() const {
    if (!peerResolved_) {
      peerResolved_ = true;
      stream_.peer(clientHost_, clientPort_);
    }
  }
  mutable std::string clientHost_;
  mutable int clientPort_ = 0;
  mutable bool peerResolved_ = false;
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
  // A replayable SET in flight: applied to the client's state and the connection's on OK.
  std::vector<sql::SessionAssignment> pendingSet_;
  // A SET of expressions in flight (sql::parseTrackedSet): its targets, whose values the
  // server's OK may report.
  std::vector<std::string> trackedSet_;
  SessionVars vars_;  // the client's session variables (replayed on each connection)
  // Prepared statements by the client's statement id (made on the first prepare).
  std::unique_ptr<ClientStatements> statements_;
  uint32_t nextStatementId_ = 0;
  ClientStatement* currentStatement_ = nullptr;  // of the command in flight
  bool clientPrepare_ = false;  // the command in flight is a COM_STMT_PREPARE sent to a server
  std::string prepareKey_;      // its registry key and text
  std::string prepareQuery_;
  enum class SyncStep { Schema, Variables, Statement };
  SyncStep syncStep_ = SyncStep::Schema;
  uint64_t lastInsertId_ = 0;   // what LAST_INSERT_ID() returns for this client
  bool needsInsertId_ = false;  // the statement in flight reads LAST_INSERT_ID()
  bool watchStateChange_ = false;
  // The command is a plain read (StatementHints::isRead): if its connection breaks before any
  // reply, it runs again elsewhere, up to mysql-query_retries_on_failure times; retryCommand_
  // keeps its bytes meanwhile.
  bool retryableRead_ = false;
  int queryRetries_ = 0;
  std::string retryCommand_;
  ReplyShape shape_ = ReplyShape::None;
  bool statementStateless_ = false;
  const char* statementReason_ = "";  // why the statement in flight would pin
  bool forwardedAny_ = false;
  int hostgroup_ = 0;
  config::RuntimePtr commandRuntime_;  // keeps failedServers_ valid across a reload
  std::vector<const config::Server*> failedServers_;
  uint64_t commandStartMs_ = 0;
  uint64_t waitStartNs_ = 0;
  // While waiting for another worker to lend an idle connection: until when (0: not asked),
  // which question (answers to older ones are ignored), and how many answers are still due.
  uint64_t borrowUntilMs_ = 0;
  std::vector<pool::ServerShared*> waitingOn_;  // while waitForFullServers() waits
  uint32_t borrowAsk_ = 0;
  int borrowAnswersPending_ = 0;
  uint64_t waitSinceMs_ = 0;
  uint64_t queryDeadlineMs_ = 0;  // 0: no query running with a timeout
  int64_t queryTimeoutMs_ = 0;
  std::optional<int64_t> ruleTimeoutMs_;  // the matching rule's `timeout`
  int ruleMultiplex_ = -1;                // the matching rule's `multiplex` (-1: none)
  bool timedOut_ = false;                 // KILL QUERY was sent for the running query
  std::unique_ptr<net::Timer>
      timeoutTimer_;  // made on the first short timeout only  // when the command started waiting
                      // for a connection (0: it did not)
  const char* pinReason_ = "";
  // The query in flight, for stats_mysql_query_digest and the events log.
  uint64_t queryDigest_ = 0;
  uint64_t queryStartNs_ = 0;
  bool trackQuery_ = false;
  sql::CommandKind commandKind_ = sql::CommandKind::None;  // counted when the command ends
  bool logQuery_ = false;
  std::string loggedQuery_;  // only for rules with log=1
  bool inTransaction_ = false;
  // SET autocommit=0: the next statement opens a transaction. Replayed like a session
  // variable; only the transaction itself keeps the connection.
  bool autocommitOff_ = false;
  // The query cache: the rules' cache_ttl and cache_empty_result for the query in flight, and
  // its reply on the way into the cache.
  int cacheTtlMs_ = 0;
  std::optional<bool> cacheEmptyResult_;
  cache::ReplyCapture cacheCapture_;
};

}  // namespace rwproxy::session

#pragma once

#include <cstdint>
#include <string>

#include "proxy/cache/query_cache.h"
#include "proxy/config/runtime.h"
#include "proxy/net/loop.h"
#include "proxy/pool/backend_pool.h"
#include "proxy/pool/server_load.h"
#include "proxy/routing/router.h"
#include "proxy/session/backend_connection.h"
#include "proxy/session/stmt_registry.h"
#include "proxy/stats/digest_stats.h"
#include "proxy/stats/event_json.h"
#include "rules/decision.h"
#include "sql/command_kind.h"

namespace rwproxy::session {

class ClientSession;

// What a client session needs from the worker it lives on. Implemented by worker::Worker; all
// calls happen on the worker's thread unless noted.
class SessionContext {
 public:
  virtual ~SessionContext() = default;

  virtual net::Loop& loop() = 0;
  // The current snapshot; replaced only between commands (at a query boundary).
  virtual const config::RuntimePtr& runtime() = 0;
  virtual pool::BackendPool& pool() = 0;
  virtual routing::Router& router() = 0;
  // A buffer for framing outgoing packets, reused across queries (never kept across calls).
  virtual std::string& scratch() = 0;
  // Reusable buffers for rule evaluation and the query digest (never kept across calls).
  virtual rules::EvalScratch& evalScratch() = 0;
  virtual std::string& digestScratch() = 0;
  // Query statistics (per thread, no locks): the digest text when a query starts, the rest
  // when its reply ends.
  virtual void noteDigest(uint64_t digest, std::string_view digestText) = 0;
  virtual void recordQuery(const stats::DigestKeyView& key, uint64_t durationUs,
                           uint64_t rowsAffected, uint64_t rowsSent) = 0;
  // The events log (rules with log=1); returns false when it dropped the event.
  virtual bool logEvent(const stats::LogEvent& event) = 0;
  virtual bool eventsLogEnabled() = 0;
  virtual std::string& rewriteScratch() = 0;
  // This worker's query result cache.
  virtual cache::QueryCache& queryCache() = 0;

  // Every ONLINE server of the session's hostgroup is full: the worker calls
  // session.retryBackend() when a connection may have become free (FIFO across its waiters).
  // `firstTime`: the session just started waiting (not a retry that must wait again).
  virtual void waitForBackend(ClientSession& session, bool firstTime) = 0;
  // A connection the session no longer needs, in a state fit for another client: pooled, or
  // parked for a session on another worker that waits for a free slot.
  virtual void returnBackend(std::unique_ptr<BackendConnection> backend) = 0;
  // An idle connection with this identity that another worker parked for this one (see
  // pool::ConnectionExchange), attached to this worker and counting in `stats`; nullptr if none.
  virtual std::unique_ptr<BackendConnection> takeParked(const BackendIdentity& identity,
                                                        const std::string& schema,
                                                        const SessionVars& vars,
                                                        pool::ServerStats* stats) = 0;
  // Closes one parked connection to `stats`'s server, whoever it was for: it frees a
  // max_connections slot. False when none is parked.
  virtual bool evictParked(pool::ServerStats* stats) = 0;
  // Asks the other workers to park an idle connection with this identity for session
  // `sessionId`; each answers with session.onBorrowAnswer(ask), after parking one if it had
  // one. Returns how many workers were asked.
  virtual int askForIdle(const BackendIdentity& identity, uint32_t sessionId, uint32_t ask) = 0;
  // A session that waited got a connection after `waitedUs`, or gave up.
  virtual void recordPoolWait(uint64_t waitedUs, bool timedOut) = 0;

  // The proxy-wide prepared statement registry (thread-safe).
  virtual StmtRegistry& stmtRegistry() = 0;

  // This worker's stats of `server`; its load() is the proxy-wide count of open connections
  // to it (mysql_servers.max_connections), and a ServerSlot reserved on it counts them.
  virtual pool::ServerStats* serverCounter(const config::Server& server) = 0;

  // Per-thread counters for stats_mysql_global.
  virtual void countQuestion() = 0;
  virtual void countLoginFailure() = 0;
  // stats_mysql_commands_counters: a forwarded query of `kind` ended after `durationUs`.
  virtual void countCommand(sql::CommandKind kind, uint64_t durationUs) = 0;

  // Per-thread hit counters of stats_mysql_query_rules (no locks).
  virtual void countRuleHits(const rules::RuleSet& ruleSet,
                             std::span<const uint32_t> matchedRuleIndexes) = 0;

  // Admission against mysql-max_connections and the user's max_connections. A true return
  // must be balanced by the matching release call.
  virtual bool admitClient() = 0;
  virtual void releaseClient() = 0;
  virtual bool admitUser(const std::string& user, int maxConnections) = 0;
  virtual void releaseUser(const std::string& user) = 0;

  // Proxy-wide session ids (unique across workers), and KILL by id. killSession returns false
  // when no session has that id; the kill itself happens asynchronously on the owner's thread.
  virtual uint32_t newSessionId() = 0;
  virtual bool killSession(uint32_t id, bool queryOnly) = 0;

  // Runs KILL [QUERY] <threadId> on the server of `target` from a separate connection.
  virtual void killOnServer(const BackendIdentity& target, const BackendCredentials& credentials,
                            uint32_t threadId, bool queryOnly) = 0;

  // Sends a copy of `query` to a server of `hostgroup` and discards the reply
  // (mirror_hostgroup); `identity` carries user, capabilities and charset, the host is picked
  // here. Dropped (and counted) when too many mirrors are in flight: mirrors never queue.
  virtual void mirror(int hostgroup, const BackendIdentity& identity, const std::string& schema,
                      const BackendCredentials& credentials, std::string query, bool stateless) = 0;

  // The session is finished: the worker unregisters it and deletes it later.
  virtual void sessionClosed(ClientSession& session) = 0;
  virtual bool shuttingDown() const = 0;
};

}  // namespace rwproxy::session

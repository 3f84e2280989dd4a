#pragma once

// The immutable runtime snapshot: everything the data plane knows of the configuration.
// admin/ builds one from the SQLite memory tables on LOAD ... TO RUNTIME, validates it whole and
// publishes it as std::shared_ptr<const Runtime>; workers pick the new pointer up at their next
// query boundary. Nothing here changes after publication, so any thread may read it freely.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::rules {
class RuleSet;  // rules/rule_set.h; forward-declared: rules/ includes this header
}  // namespace rwproxy::rules

namespace rwproxy::config {

enum class ServerStatus { Online, Shunned, OfflineSoft, OfflineHard };

// One row of mysql_servers.
struct Server {
  int hostgroupId = 0;
  std::string hostname;
  int port = 3306;
  int gtidPort = 0;
  ServerStatus status = ServerStatus::Online;
  int weight = 1;
  int compression = 0;
  int maxConnections = 1000;
  int maxReplicationLag = 0;
  bool useSsl = false;
  int maxLatencyMs = 0;
  std::string comment;
};

// One row of mysql_users. `password` is as stored: plaintext, or "*" + 40 hex digits
// (the mysql_native_password hash, SHA1(SHA1(password))).
struct User {
  std::string username;
  std::string password;
  bool active = true;
  bool useSsl = false;
  int defaultHostgroup = 0;
  std::string defaultSchema;  // empty: none
  bool schemaLocked = false;
  bool transactionPersistent = true;
  bool fastForward = false;
  bool backend = true;
  bool frontend = true;
  int maxConnections = 10000;
  std::string attributes;
  std::string comment;
};

// One row of mysql_query_rules, as stored; rules/ compiles these. Unset columns are nullopt.
struct QueryRuleRow {
  int ruleId = 0;
  bool active = false;
  std::optional<std::string> username;
  std::optional<std::string> schemaname;
  int flagIn = 0;
  std::optional<std::string> clientAddr;
  std::optional<std::string> proxyAddr;
  std::optional<int> proxyPort;
  std::optional<std::string> digest;
  std::optional<std::string> matchDigest;
  std::optional<std::string> matchPattern;
  bool negateMatchPattern = false;
  std::string reModifiers = "CASELESS";
  std::optional<int> flagOut;
  std::optional<std::string> replacePattern;
  std::optional<int> destinationHostgroup;
  std::optional<int> cacheTtl;
  std::optional<int> cacheEmptyResult;
  std::optional<int> cacheTimeout;
  std::optional<int> reconnect;
  std::optional<int64_t> timeout;
  std::optional<int> retries;
  std::optional<int64_t> delay;
  std::optional<int64_t> nextQueryFlagIn;
  std::optional<int64_t> mirrorFlagOut;
  std::optional<int64_t> mirrorHostgroup;
  std::optional<std::string> errorMsg;
  std::optional<std::string> okMsg;
  std::optional<int> stickyConn;
  std::optional<int> multiplex;
  std::optional<int64_t> gtidFromHostgroup;
  std::optional<int> log;
  bool apply = false;
  std::string attributes;
  std::optional<std::string> comment;
};

// One row of mysql_replication_hostgroups.
struct ReplicationHostgroup {
  int writerHostgroup = 0;
  int readerHostgroup = 0;
  std::string checkType = "read_only";
  std::string comment;
};

// The mysql-* global variables the data plane uses, already parsed and validated.
// Names follow ProxySQL's; times are in milliseconds unless the name says otherwise.
struct MysqlVariables {
  std::string interfaces = "0.0.0.0:6033";
  int threads = 0;  // 0: one per CPU
  int maxConnections = 10000;
  std::string serverVersion = "8.0.11";
  int defaultCharset = 45;  // utf8mb4_general_ci, the collation id advertised in the handshake
  int64_t connectTimeoutServerMs = 3000;
  int64_t connectTimeoutServerMaxMs = 10000;
  int connectRetriesOnFailure = 10;
  int64_t defaultQueryTimeoutMs = 36000000;  // then KILL QUERY (a rule's `timeout` wins)
  int64_t connectTimeoutClientMs = 10000;
  int64_t waitTimeoutMs = 28800000;
  int64_t maxAllowedPacket = 64 * 1024 * 1024;
  std::string monitorUsername = "monitor";
  std::string monitorPassword = "monitor";
  bool multiplexing = true;
  int freeConnectionsPct = 10;
  int64_t connectionMaxAgeMs = 0;
  int64_t pingIntervalServerMsec = 10000;
  int shunOnFailures = 5;
  int shunRecoveryTimeSec = 10;
  int queryRetriesOnFailure = 1;
  int maxStmtsPerConnection = 20;
  int64_t queryDigestsMaxQueryLength = 65000;
  int64_t queryCacheSizeMb = 256;
  // Whether results without rows are cached; a rule's cache_empty_result overrides it.
  bool queryCacheStoresEmptyResult = true;
  int64_t shutdownTimeoutMs = 10000;  // SIGTERM: how long in-flight queries may finish
  bool monitorEnabled = true;
  int64_t monitorConnectIntervalMs = 120000;
  int64_t monitorPingIntervalMs = 8000;
  int64_t monitorReadOnlyIntervalMs = 1000;
  int64_t monitorReplicationLagIntervalMs = 10000;
  int autoIncrementDelayMultiplex = 5;
  int64_t queryDigestsMaxEntries = 100000;  // bounds the digest map (0: digests disabled)
  std::string eventslogFilename;            // empty: no events log
  int64_t eventslogFilesize = 104857600;
  // mysql-keep_multiplexing_variables, split on ','; lower case.
  std::vector<std::string> keepMultiplexingVariables = {"tx_isolation", "version"};
};

struct Runtime {
  uint64_t version = 0;  // increases with every publication
  std::vector<Server> servers;
  std::vector<User> users;
  std::vector<QueryRuleRow> queryRules;
  // queryRules compiled (set by whoever publishes the snapshot); nullptr: no active rules.
  std::shared_ptr<const rules::RuleSet> queryRuleSet;
  std::vector<ReplicationHostgroup> replicationHostgroups;
  MysqlVariables mysql;

  // A frontend user by name (active or not); nullptr when unknown.
  const User* findFrontendUser(std::string_view name) const {
    for (const auto& u : users) {
      if (u.frontend && u.username == name) {
        return &u;
      }
    }
    return nullptr;
  }
};

using RuntimePtr = std::shared_ptr<const Runtime>;

}  // namespace rwproxy::config

// Session state moves with the client, not with the backend connection: schema, charset,
// sql_mode, time_zone, user variables and LAST_INSERT_ID() stay right while clients take
// turns on one pooled connection. The writer allows this proxy a single connection, so a
// statement that wrongly kept it would make the other client's next query fail with 9001.
#include <catch2/catch.hpp>

#include <string>

#include "proxy/protocol/constants.h"
#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_client.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

const TestAccount kAccount{"stateuser", "state_pw"};

ProxyProcess& proxy() {
  static ProxyProcess p;
  if (!p.running()) {
    kAccount.create({"rwtest", "rwtest2"});
    ProxyProcess::Options options;
    options.configSql = ProxyProcess::clusterConfig() + kAccount.usersRow(10) +
                        "UPDATE mysql_servers SET max_connections = 1 WHERE hostgroup_id = 10;\n"
                        // A client that finds the connection held gives up quickly.
                        "SET mysql-connect_timeout_server_max = 300;\n";
    options.threads = 1;  // pools are per worker: one worker, one shared connection
    REQUIRE(p.start(options));
  }
  return p;
}

void connect(MysqlClient& c, const std::string& db) {
  REQUIRE(c.connect(kAccount.login(proxy(), db)));
}

// Everything a client's session state decides, in one row.
std::vector<std::string> stateOf(MysqlClient& c) {
  auto rs = c.query(
      "SELECT DATABASE(), @@character_set_client, @@collation_connection, @@sql_mode, "
      "@@time_zone");
  REQUIRE(rs);
  REQUIRE(rs->rows.size() == 1);
  std::vector<std::string> out;
  for (const auto& v : rs->rows[0]) {
    out.push_back(v.value_or("NULL"));
  }
  return out;
}

// How many of the proxy's sessions match `condition` in stats_mysql_processlist.
std::string pinnedCount(const std::string& condition) {
  MysqlClient admin;
  connectAdmin(admin, proxy());
  return admin.scalar("SELECT COUNT(*) FROM stats_mysql_processlist WHERE " + condition);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("clients with different schema, charset, sql_mode and time_zone share one connection") {
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest2");
  a.exec("SET NAMES latin1");
  a.exec("SET sql_mode = 'ANSI_QUOTES', time_zone = '+05:00'");
  b.exec("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
  b.exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
  b.exec("SET @@time_zone = '-03:00'");
  const std::vector<std::string> wantA = {"rwtest", "latin1", "latin1_swedish_ci", "ANSI_QUOTES",
                                          "+05:00"};
  const std::vector<std::string> wantB = {"rwtest2", "utf8mb4", "utf8mb4_bin",
                                          "NO_ENGINE_SUBSTITUTION", "-03:00"};
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    CHECK(stateOf(a) == wantA);
    CHECK(stateOf(b) == wantB);
  }
  CHECK(kAccount.writerConnections() == "1");

  // DEFAULT takes a variable back to what a fresh login has.
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  a.exec("SET sql_mode = DEFAULT");
  CHECK(a.scalar("SELECT @@sql_mode") == root.scalar("SELECT @@GLOBAL.sql_mode"));
  CHECK(b.scalar("SELECT @@sql_mode") == "NO_ENGINE_SUBSTITUTION");

  // A third client with nothing set sees the login defaults, not a neighbour's leftovers.
  MysqlClient c;
  connect(c, "rwtest");
  CHECK(stateOf(c) == std::vector<std::string>{"rwtest", "utf8mb4", "utf8mb4_general_ci",
                                               root.scalar("SELECT @@GLOBAL.sql_mode"),
                                               root.scalar("SELECT @@GLOBAL.time_zone")});
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("user variables set from literals follow their client") {
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  a.exec("SET @x = 5, @y = 'hello'");
  CHECK_FALSE(b.query("SELECT @x")->rows[0][0].has_value());
  b.exec("SET @x = 7");
  auto rs = a.query("SELECT @x, @y, CONCAT(@y, '!')");
  REQUIRE(rs);
  CHECK(rs->rows[0][0] == "5");
  CHECK(rs->rows[0][1] == "hello");
  CHECK(rs->rows[0][2] == "hello!");
  CHECK(b.scalar("SELECT @x") == "7");
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("LAST_INSERT_ID() is the client's own, on any connection") {
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  a.exec("INSERT INTO t (v) VALUES ('lii-a')");
  std::string idA = a.scalar("SELECT MAX(id) FROM t WHERE v = 'lii-a'");
  b.exec("INSERT INTO t (v) VALUES ('lii-b')");
  std::string idB = b.scalar("SELECT MAX(id) FROM t WHERE v = 'lii-b'");
  REQUIRE(idA != idB);
  CHECK(a.scalar("SELECT LAST_INSERT_ID()") == idA);
  CHECK(a.scalar("SELECT @@identity") == idA);
  CHECK(b.scalar("SELECT LAST_INSERT_ID()") == idB);
  // A statement that uses the value runs on a connection that was told it.
  CHECK(a.scalar("SELECT LAST_INSERT_ID() + 0") == idA);
  a.exec("INSERT INTO t (v) SELECT CONCAT('child-of-', LAST_INSERT_ID())");
  CHECK(b.scalar("SELECT COUNT(*) FROM t WHERE v = 'child-of-" + idA + "'") == "1");
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("autocommit=0 follows its client; only the transaction keeps the connection") {
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  a.exec("SET autocommit = 0");
  CHECK(b.scalar("SELECT @@autocommit") == "1");  // b borrowed the connection a set it on
  a.exec("INSERT INTO t (v) VALUES ('autocommit-off-rolled-back')");
  CHECK_FALSE(b.query("SELECT 1"));  // a's implicit transaction holds the one connection
  CHECK(b.errorCode() == 9001);
  a.exec("ROLLBACK");
  CHECK(b.scalar("SELECT @@autocommit") == "1");
  CHECK(a.scalar("SELECT @@autocommit") == "0");
  a.exec("INSERT INTO t (v) VALUES ('autocommit-off-committed')");
  a.exec("COMMIT");
  CHECK(b.scalar("SELECT COUNT(*) FROM t WHERE v = 'autocommit-off-rolled-back'") == "0");
  CHECK(b.scalar("SELECT COUNT(*) FROM t WHERE v = 'autocommit-off-committed'") == "1");
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("state the proxy cannot replay keeps the connection with its client") {
  const char* const pinning[] = {
      "CREATE TEMPORARY TABLE tmp_pin (x INT)",
      "SET @when = NOW()",
      "SELECT 1 INTO @one",
      "SELECT GET_LOCK('session-state-test', 0)",
  };
  for (const char* statement : pinning) {
    INFO(statement);
    MysqlClient holder;
    connect(holder, "rwtest");
    MysqlClient other;
    connect(other, "rwtest");
    holder.exec(statement);
    CHECK_FALSE(other.query("SELECT 1"));
    CHECK(other.errorCode() == 9001);
    // The holder's state is intact on its connection.
    CHECK(holder.scalar("SELECT 2") == "2");
  }
  // The pinned connections were closed with their clients: the next client gets one.
  MysqlClient last;
  connect(last, "rwtest");
  CHECK(last.scalar("SELECT 3") == "3");
}

TEST_CASE("reset_connection and change_user forget the client's session state") {
  MysqlClient a;
  connect(a, "rwtest");
  a.exec("SET @x = 5, time_zone = '+01:00'");
  REQUIRE(a.scalar("SELECT @x") == "5");
  REQUIRE(mysql_reset_connection(a.handle()) == 0);
  CHECK_FALSE(a.query("SELECT @x")->rows[0][0].has_value());
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  CHECK(a.scalar("SELECT @@time_zone") == root.scalar("SELECT @@GLOBAL.time_zone"));
  a.exec("SET @y = 6, sql_mode = 'ANSI'");
  REQUIRE(mysql_change_user(a.handle(), kAccount.user.c_str(), kAccount.password.c_str(),
                            "rwtest2") == 0);
  CHECK_FALSE(a.query("SELECT @y")->rows[0][0].has_value());
  CHECK(a.scalar("SELECT @@sql_mode") == root.scalar("SELECT @@GLOBAL.sql_mode"));
  CHECK(a.scalar("SELECT DATABASE()") == "rwtest2");
}

TEST_CASE("rules with multiplex=1 or 2 keep multiplexing where the proxy would pin") {
  MysqlClient admin;
  connectAdmin(admin, proxy());
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, multiplex, apply) VALUES "
      "(901, 1, 'multiplex_two_marker', 2, 1), (902, 1, 'multiplex_one_marker', 1, 1)");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  // multiplex=2: the `@` of this statement does not pin.
  CHECK(a.scalar("SELECT @n := 1 AS multiplex_two_marker") == "1");
  CHECK(b.scalar("SELECT 'b runs'") == "b runs");
  // multiplex=1: what pinned before is forgotten.
  a.exec("SELECT 1 INTO @pinned");
  CHECK_FALSE(b.query("SELECT 'b waits'"));
  a.exec("SELECT 'released' AS multiplex_one_marker");
  CHECK(b.scalar("SELECT 'b runs again'") == "b runs again");
  admin.exec("DELETE FROM mysql_query_rules WHERE rule_id IN (901, 902)");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
}

TEST_CASE("the query cache keeps results of clients with different session state apart") {
  MysqlClient admin;
  connectAdmin(admin, proxy());
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, cache_ttl, apply) VALUES "
      "(903, 1, 'cache_state_marker', 60000, 1)");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  const std::string query = "SELECT @v AS cache_state_marker";
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  MysqlClient c;
  connect(c, "rwtest");
  a.exec("SET @v = 1");
  b.exec("SET @v = 2");
  for (int round = 0; round < 2; ++round) {  // the second round is served from the cache
    CHECK(a.scalar(query) == "1");
    CHECK(b.scalar(query) == "2");
    CHECK_FALSE(c.query(query)->rows[0][0].has_value());
  }
  CHECK(std::stoi(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                               "Variable_Name = 'Query_Cache_count_GET_OK'")) >= 3);
  admin.exec("DELETE FROM mysql_query_rules WHERE rule_id = 903");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
}

TEST_CASE("a SET of expressions is learned from the server's session tracking, not pinned") {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  const std::string defaultMode = root.scalar("SELECT @@GLOBAL.sql_mode");
  root.exec("SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')");
  const std::string pipesMode = root.scalar("SELECT @@sql_mode");
  const std::string defaultJoinSize = root.scalar("SELECT @@GLOBAL.max_join_size");
  REQUIRE_FALSE(contains(defaultMode, "PIPES_AS_CONCAT"));
  REQUIRE(defaultJoinSize != "1000000");
  MysqlClient a;
  connect(a, "rwtest");
  MysqlClient b;
  connect(b, "rwtest");
  // libmariadb negotiates CLIENT_SESSION_TRACK, so the connection reports these variables.
  CHECK(contains(a.scalar("SELECT @@session_track_system_variables"), "sql_mode"));
  a.exec("SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')");
  a.exec("SET @@session.max_join_size = 1000*1000, time_zone = @@global.time_zone");
  // a let go of the one connection: b runs on it (else 9001), with the login defaults.
  CHECK(b.scalar("SELECT @@sql_mode") == defaultMode);
  CHECK(b.scalar("SELECT 'x' || 'y'") == "0");  // || is OR without PIPES_AS_CONCAT
  CHECK(waitFor([] { return pinnedCount("pin_reason <> ''") == "0"; }));
  // ...and a's values come back on it, replayed as literals.
  const std::string modeA = a.scalar("SELECT @@sql_mode");
  CHECK(contains(modeA, "PIPES_AS_CONCAT"));
  CHECK(modeA == pipesMode);
  CHECK(a.scalar("SELECT 'x' || 'y'") == "xy");
  CHECK(a.scalar("SELECT @@max_join_size") == "1000000");
  b.exec("SET SESSION sql_mode = (SELECT REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', ''))");
  CHECK(a.scalar("SELECT @@sql_mode") == modeA);
  CHECK_FALSE(contains(b.scalar("SELECT @@sql_mode"), "STRICT_TRANS_TABLES"));
  CHECK(b.scalar("SELECT @@max_join_size") == defaultJoinSize);
  // An expression SET the proxy cannot prove harmless (a sub-query reading a table) pins.
  b.exec("SET sql_select_limit = (SELECT COUNT(*) FROM t)");
  CHECK_FALSE(a.query("SELECT 1"));
  CHECK(a.errorCode() == 9001);
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("without CLIENT_SESSION_TRACK a SET of expressions keeps its connection") {
  // Raw clients that do not offer session tracking (and so get a connection without it);
  // two of them with the same flags share a pooled connection.
  RawClient holder;
  REQUIRE(holder.connect(proxy().appPort(), kAccount.user, kAccount.password, "rwtest", 0));
  REQUIRE((holder.capabilities() & rwproxy::protocol::kClientSessionTrack) == 0);
  RawClient other;
  REQUIRE(other.connect(proxy().appPort(), kAccount.user, kAccount.password, "rwtest", 0));
  auto okOf = [](RawClient& c, const std::string& sql) {
    auto reply = c.command("\x03" + sql);
    return reply && !reply->empty() && (*reply)[0] == '\0';
  };
  // A literal SET does not pin: the other client gets the connection.
  REQUIRE(okOf(holder, "SET max_join_size = 1000"));
  REQUIRE(other.query("SELECT 1"));
  REQUIRE(okOf(holder, "SET sql_mode = CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')"));
  auto refused = other.command("\x03SELECT 1");
  REQUIRE(refused);
  REQUIRE(refused->size() > 3);
  CHECK(static_cast<uint8_t>((*refused)[0]) == 0xFF);
  CHECK((static_cast<uint8_t>((*refused)[1]) | static_cast<uint8_t>((*refused)[2]) << 8) == 9001);
  CHECK(waitFor([] { return pinnedCount("pin_reason = 'set_statement'") == "1"; }));
  auto mode = holder.query("SELECT @@sql_mode");
  REQUIRE(mode);
  REQUIRE(mode->rows.size() == 1);
  CHECK(contains(mode->rows[0][0].value_or(""), "PIPES_AS_CONCAT"));
}

// Query statistics on the admin port: digests, their latency percentiles, the bound on the
// digest map, and the events log.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

TEST_CASE("digests, counts and percentiles show up; the _reset table clears them") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  for (int i = 0; i < 7; ++i) {
    c.exec("SELECT id, v FROM t WHERE id = " + std::to_string(i));
  }
  c.exec("SELECT 1 FROM t WHERE id IN (1, 2, 3)");
  MysqlClient admin;
  connectAdmin(admin, proxy);
  auto rs = admin.query(
      "SELECT hostgroup, schemaname, username, digest, digest_text, count_star, sum_time, "
      "min_time, max_time FROM stats_mysql_query_digest ORDER BY count_star DESC");
  REQUIRE(rs);
  REQUIRE_FALSE(rs->rows.empty());
  const auto& top = rs->rows[0];
  CHECK(*top[0] == "10");
  CHECK(*top[1] == "rwtest");
  CHECK(*top[2] == "app");
  CHECK(top[3]->rfind("0x", 0) == 0);
  CHECK(*top[4] == "SELECT id,v FROM t WHERE id = ?");
  CHECK(*top[5] == "7");
  CHECK(std::stoull(*top[7]) <= std::stoull(*top[8]));
  bool sawInList = false;
  for (const auto& row : rs->rows) {
    sawInList = sawInList || *row[4] == "SELECT ? FROM t WHERE id IN (?,...)";
  }
  CHECK(sawInList);
  auto latency = admin.query(
      "SELECT count_star, p50_us, p95_us, p99_us FROM stats_mysql_query_digest_latency "
      "ORDER BY count_star DESC");
  REQUIRE(latency);
  REQUIRE_FALSE(latency->rows.empty());
  CHECK(*latency->rows[0][0] == "7");
  CHECK(std::stoull(*latency->rows[0][1]) <= std::stoull(*latency->rows[0][3]));

  // The digest map's memory and the traffic counters are in stats_mysql_global.
  CHECK(std::stoull(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                                 "Variable_Name = 'Query_digest_memory'")) > 0);
  CHECK(std::stoull(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                                 "Variable_Name = 'Questions'")) >= 8);
  CHECK(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                     "Variable_Name = 'Client_Connections_connected'") == "1");

  auto reset = admin.query("SELECT COUNT(*) FROM stats_mysql_query_digest_reset");
  REQUIRE(reset);
  CHECK(*reset->rows[0][0] != "0");
  CHECK(admin.scalar("SELECT COUNT(*) FROM stats_mysql_query_digest") == "0");
}

TEST_CASE("the digest map is bounded: new digests go to one overflow row") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-query_digests_max_entries=2;\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  c.exec("SELECT 1");
  c.exec("SELECT 1, 2");
  for (int i = 3; i < 20; ++i) {
    std::string cols = "SELECT 1";
    for (int j = 2; j <= i; ++j) {
      cols += ", " + std::to_string(j);
    }
    c.exec(cols);  // a new digest each time
  }
  MysqlClient admin;
  connectAdmin(admin, proxy);
  CHECK(admin.scalar("SELECT COUNT(*) FROM stats_mysql_query_digest WHERE hostgroup >= 0") == "2");
  CHECK(admin.scalar("SELECT count_star FROM stats_mysql_query_digest WHERE hostgroup = -1") ==
        "17");
}

TEST_CASE("rules with log=1 write JSON lines to the events log") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() +
                      "SET mysql-eventslog_filename='events.log';\n"
                      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, log, apply) "
                      "VALUES (1, 1, 'log_me', 1, 0);\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  c.exec("SELECT 'quoted \"text\"' AS log_me");
  c.exec("SELECT 'not logged'");
  std::string path = proxy.datadir() + "/events.log.00000001";
  std::string text;
  REQUIRE(waitFor([&] {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
    return text.find("log_me") != std::string::npos;
  }));
  CHECK(text.find("\"username\":\"app\"") != std::string::npos);
  CHECK(text.find("\\\"text\\\"") != std::string::npos);  // escaped inside the JSON string
  CHECK(text.find("not logged") == std::string::npos);
  CHECK(text.find("\"hostgroup\":10") != std::string::npos);
}

TEST_CASE("stats_mysql_processlist shows each session, its backend and why it keeps it") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions()));
  MysqlClient inTransaction;
  connectApp(inTransaction, proxy.appPort(), "rwtest");
  inTransaction.exec("BEGIN");
  inTransaction.exec("SELECT 1");
  MysqlClient idle;
  connectApp(idle, proxy.appPort(), "rwtest");
  idle.exec("SELECT 1");  // its connection goes back to the pool afterwards
  MysqlClient admin;
  connectAdmin(admin, proxy);
  auto rs = admin.query(
      "SELECT user, db, cli_host, hostgroup, srv_host, srv_port, command, pin_reason "
      "FROM stats_mysql_processlist ORDER BY SessionID");
  REQUIRE(rs);
  REQUIRE(rs->rows.size() == 2);
  const auto& pinned = rs->rows[0];
  CHECK(*pinned[0] == "app");
  CHECK(*pinned[1] == "rwtest");
  CHECK(*pinned[2] == "127.0.0.1");
  CHECK(*pinned[3] == "10");
  CHECK(pinned[4] == std::optional<std::string>("127.0.0.1"));
  CHECK(pinned[5] == std::optional<std::string>(std::to_string(env.writerPort())));
  CHECK(*pinned[6] == "Sleep");
  CHECK(*pinned[7] == "transaction");
  const auto& free = rs->rows[1];
  CHECK_FALSE(free[4].has_value());  // no backend connection held
  CHECK_FALSE(free[5].has_value());
  CHECK(*free[7] == "");
  CHECK(admin.scalar("SELECT Variable_Value FROM stats_mysql_global "
                     "WHERE Variable_Name = 'Pinned_sessions_transaction'") == "1");
  CHECK(admin.scalar("SELECT Variable_Value FROM stats_mysql_global "
                     "WHERE Variable_Name = 'Pinned_sessions'") == "1");
  CHECK(admin.scalar("SELECT Variable_Value FROM stats_mysql_global "
                     "WHERE Variable_Name = 'Pinned_sessions_user_variable'") == "0");

  // A running query shows its (normalised) text while it runs, and only then.
  std::thread running([&] { idle.exec("SELECT SLEEP(2) AS processlist_marker"); });
  CHECK(waitFor([&] {
    auto r = admin.query(
        "SELECT command, info, srv_port FROM stats_mysql_processlist WHERE info LIKE "
        "'%processlist_marker%'");
    return r && r->rows.size() == 1 && *r->rows[0][0] == "Query" && r->rows[0][2].has_value();
  }));
  running.join();
  CHECK(admin.scalar("SELECT COUNT(*) FROM stats_mysql_processlist WHERE info IS NOT NULL") == "0");
  inTransaction.exec("COMMIT");
  CHECK(admin.scalar("SELECT COUNT(*) FROM stats_mysql_processlist WHERE pin_reason <> ''") == "0");
}

TEST_CASE("stats_mysql_commands_counters counts queries by command, with latency buckets") {
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions()));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  for (int i = 0; i < 3; ++i) {
    c.exec("SELECT id FROM t LIMIT 1");
  }
  c.exec("/* app */ INSERT INTO t (v) VALUES ('commands-counters')");
  c.exec("INSERT INTO t (v) VALUES ('commands-counters')");
  c.exec("DELETE FROM t WHERE v = 'commands-counters'");
  MysqlClient admin;
  connectAdmin(admin, proxy);
  auto count = [&](const std::string& command) {
    return admin.scalar("SELECT Total_cnt FROM stats_mysql_commands_counters WHERE Command = '" +
                        command + "'");
  };
  CHECK(count("SELECT") == "3");
  CHECK(count("INSERT") == "2");
  CHECK(count("DELETE") == "1");
  CHECK(count("UPDATE") == "0");
  CHECK(admin.scalar("SELECT Total_cnt = cnt_100us + cnt_500us + cnt_1ms + cnt_5ms + cnt_10ms + "
                     "cnt_50ms + cnt_100ms + cnt_500ms + cnt_1s + cnt_5s + cnt_10s + cnt_INFs "
                     "FROM stats_mysql_commands_counters WHERE Command = 'SELECT'") == "1");
  CHECK(std::stoll(admin.scalar(
            "SELECT Total_Time_us FROM stats_mysql_commands_counters WHERE Command = 'INSERT'")) >
        0);
}

TEST_CASE("stats_mysql_users shows frontend connections per user") {
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions(
      "INSERT INTO mysql_users (username, password, max_connections) VALUES "
      "('nobody_here', 'x', 7);\n")));
  MysqlClient a;
  MysqlClient b;
  connectApp(a, proxy.appPort());
  connectApp(b, proxy.appPort());
  MysqlClient admin;
  connectAdmin(admin, proxy);
  auto rs = admin.query(
      "SELECT username, frontend_connections, frontend_max_connections FROM stats_mysql_users "
      "ORDER BY username");
  REQUIRE(rs);
  REQUIRE(rs->rows.size() == 2);
  CHECK(*rs->rows[0][0] == "app");
  CHECK(*rs->rows[0][1] == "2");
  CHECK(*rs->rows[0][2] == "10000");
  CHECK(*rs->rows[1][0] == "nobody_here");
  CHECK(*rs->rows[1][1] == "0");
  CHECK(*rs->rows[1][2] == "7");
}

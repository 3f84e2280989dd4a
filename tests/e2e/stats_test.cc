// Query statistics on the admin port: digests, their latency percentiles, the bound on the
// digest map, and the events log.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

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

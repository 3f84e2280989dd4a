// Read/write splitting with query rules, checked with @@server_id (writer 1, replicas 2 and 3).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

const char* kClassicSplit =
    "INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply) "
    "VALUES (100, 1, '^SELECT.*FOR UPDATE', 10, 1);\n"
    "INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply) "
    "VALUES (200, 1, '^SELECT', 20, 1);\n"
    "LOAD MYSQL QUERY RULES TO RUNTIME;\n";

void startProxy(ProxyProcess& proxy, const std::string& extra = "") {
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + kClassicSplit + extra;
  REQUIRE(proxy.start(options));
}

std::map<std::string, int> serverIds(MysqlClient& c, const std::string& sql, int times) {
  std::map<std::string, int> seen;
  for (int i = 0; i < times; ++i) {
    seen[c.scalar(sql)]++;
  }
  return seen;
}

}  // namespace

TEST_CASE("SELECT goes to the readers by weight, writes and FOR UPDATE to the writer") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  startProxy(proxy, "UPDATE mysql_servers SET weight = 3 WHERE port = " +
                        std::to_string(env.replicaPort(2)) + ";\nLOAD MYSQL SERVERS TO RUNTIME;\n");
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  auto seen = serverIds(c, "SELECT @@server_id", 400);
  CHECK(seen["1"] == 0);
  CHECK(seen["2"] > 40);         // weight 1 of 4: about 100
  CHECK(seen["3"] > seen["2"]);  // weight 3 of 4: about 300
  CHECK(seen["2"] + seen["3"] == 400);
  CHECK(serverIds(c, "SELECT @@server_id FROM DUAL FOR UPDATE", 20)["1"] == 20);
  // A write must reach the writer: the replicas are read_only and would refuse it.
  c.exec("INSERT INTO t (v) VALUES ('routed-write')");
  MysqlClient writer;
  connectRoot(writer, env.writerPort());
  CHECK(writer.scalar("SELECT COUNT(*) FROM rwtest.t WHERE v = 'routed-write'") != "0");
  c.exec("UPDATE t SET v = 'routed-update' WHERE v = 'routed-write'");
  c.exec("DELETE FROM t WHERE v = 'routed-update'");
  CHECK(writer.scalar("SELECT COUNT(*) FROM rwtest.t WHERE v LIKE 'routed-%'") == "0");
}

TEST_CASE("a transaction stays on the server where it started") {
  ProxyProcess proxy;
  startProxy(proxy);
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  c.exec("BEGIN");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 10);
  c.exec("COMMIT");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 0);
  c.exec("START TRANSACTION READ ONLY");
  CHECK(serverIds(c, "SELECT @@server_id", 5)["1"] == 5);
  c.exec("ROLLBACK");
  // autocommit=0: the SET goes to the writer and every statement after it stays there.
  MysqlClient d;
  connectApp(d, proxy.appPort(), "rwtest");
  d.exec("SET autocommit = 0");
  d.exec("INSERT INTO t (v) VALUES ('ac0')");
  CHECK(serverIds(d, "SELECT @@server_id", 5)["1"] == 5);
  CHECK(d.scalar("SELECT COUNT(*) FROM t WHERE v = 'ac0'") != "0");
  d.exec("ROLLBACK");
}

TEST_CASE("username, schemaname and client_addr rules") {
  ProxyProcess proxy;
  startProxy(proxy,
             "INSERT INTO mysql_query_rules (rule_id, active, schemaname, match_digest, "
             "destination_hostgroup, apply) VALUES (1, 1, 'rwtest2', '^SELECT', 10, 1);\n"
             "LOAD MYSQL QUERY RULES TO RUNTIME;\n");
  MysqlClient other;
  connectApp(other, proxy.appPort(), "rwtest2");
  CHECK(serverIds(other, "SELECT @@server_id", 10)["1"] == 10);
  MysqlClient admin;
  connectAdmin(admin, proxy);
  admin.exec("DELETE FROM mysql_query_rules WHERE rule_id = 1");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, username, match_digest, "
      "destination_hostgroup, apply) VALUES (1, 1, 'nobody', '^SELECT', 10, 1)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, client_addr, match_digest, "
      "destination_hostgroup, apply) VALUES (2, 1, '10.%', '^SELECT', 10, 1)");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 0);  // neither user nor address match
  admin.exec("UPDATE mysql_query_rules SET username = 'app' WHERE rule_id = 1");
  admin.exec("UPDATE mysql_query_rules SET client_addr = '127.0.0.%' WHERE rule_id = 2");
  admin.exec("UPDATE mysql_query_rules SET active = 0 WHERE rule_id = 1");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 10);  // the client_addr rule now
  admin.exec("UPDATE mysql_query_rules SET active = 1 WHERE rule_id = 1");
  admin.exec("UPDATE mysql_query_rules SET active = 0 WHERE rule_id = 2");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 10);  // the username rule now
}

TEST_CASE("flagIN/flagOUT chains, apply=0, replace_pattern and error_msg") {
  ProxyProcess proxy;
  startProxy(proxy);
  MysqlClient admin;
  connectAdmin(admin, proxy);
  // A chain: rule -3 marks the query (flagOUT 7, no apply); rule -2 in flag 7 sends it to the
  // writer. Rule -4 sets the readers but does not apply: the chain still decides.
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, "
      "apply) VALUES (10, 1, 'chain_me', 20, 0)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, flagOUT, apply) VALUES "
      "(11, 1, 'chain_me', 7, 0)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, flagIN, destination_hostgroup, apply) "
      "VALUES (12, 1, 7, 10, 1)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, replace_pattern, apply) "
      "VALUES (20, 1, '^SELECT 111$', 'SELECT 222', 0)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, error_msg, apply) VALUES "
      "(30, 1, '^DROP TABLE', 'DROP is blocked by rwproxy', 1)");
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, OK_msg, apply) VALUES "
      "(31, 1, '^SET NAMES latin9', 'ignored by rwproxy', 1)");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  CHECK(serverIds(c, "SELECT @@server_id /* chain_me */", 10)["1"] == 10);
  // OK_msg answers OK without a backend: latin9 is no MariaDB charset, so a server would fail.
  c.exec("SET NAMES latin9");
  CHECK(std::string(mysql_info(c.handle()) ? mysql_info(c.handle()) : "") == "ignored by rwproxy");
  CHECK(c.scalar("SELECT 111") == "222");
  CHECK_FALSE(c.query("DROP TABLE t"));
  CHECK(c.errorText() == "DROP is blocked by rwproxy");
  CHECK(c.scalar("SELECT COUNT(*) >= 0 FROM t") == "1");  // t is still there

  // Hit counters.
  auto hits = admin.query("SELECT rule_id, hits FROM stats_mysql_query_rules ORDER BY rule_id");
  REQUIRE(hits);
  std::map<std::string, std::string> byRule;
  for (const auto& row : hits->rows) {
    byRule[*row[0]] = *row[1];
  }
  CHECK(byRule["11"] == "10");
  CHECK(byRule["12"] == "10");
  CHECK(byRule["30"] == "1");
  CHECK(byRule["20"] == "1");
}

TEST_CASE("a bad regex leaves the old rules live and names the rule") {
  ProxyProcess proxy;
  startProxy(proxy);
  MysqlClient admin;
  connectAdmin(admin, proxy);
  admin.exec(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, "
      "apply) VALUES (99, 1, 'unbalanced(', 10, 1)");
  CHECK_FALSE(admin.query("LOAD MYSQL QUERY RULES TO RUNTIME"));
  CHECK(admin.errorText().find("99") != std::string::npos);
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  CHECK(serverIds(c, "SELECT @@server_id", 10)["1"] == 0);  // the split still works
  CHECK(admin.scalar("SELECT COUNT(*) FROM runtime_mysql_query_rules") == "2");
}

TEST_CASE("mirror_flagOUT sends a rewritten copy elsewhere and the client never sees it") {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE TABLE IF NOT EXISTS rwtest.mirrored (n INT)");
  root.exec("DELETE FROM rwtest.mirrored");
  ProxyProcess proxy;
  startProxy(proxy,
             "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, "
             "destination_hostgroup, mirror_flagOUT, apply) VALUES (1, 1, 'mirror_me', 20, 50, "
             "1);\n"
             "INSERT INTO mysql_query_rules (rule_id, active, flagIN, match_pattern, "
             "replace_pattern, destination_hostgroup, apply) VALUES (2, 1, 50, "
             "'^SELECT (\\d+) .*$', 'INSERT INTO rwtest.mirrored VALUES (\\1)', 10, 1);\n"
             "LOAD MYSQL QUERY RULES TO RUNTIME;\n");
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  auto rs = c.query("SELECT 42 AS n, @@server_id /* mirror_me */");
  REQUIRE(rs);
  CHECK(*rs->rows[0][0] == "42");
  CHECK(*rs->rows[0][1] != "1");  // the real query ran on a replica
  // The mirror, rewritten into an INSERT, reached the writer.
  CHECK(waitFor(
      [&] { return root.scalar("SELECT COUNT(*) FROM rwtest.mirrored WHERE n = 42") == "1"; }));
}

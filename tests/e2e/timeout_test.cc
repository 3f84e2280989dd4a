// Query timeouts (a rule's `timeout`, mysql-default_query_timeout) kill the query on its server
// and tell the client; a backend lost mid-transaction ends the client's connection rather than
// letting its next statements run outside the transaction it believes it is in.
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

std::string runningOnWriter(const std::string& marker) {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  return root.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%" +
                     marker + "%' AND INFO NOT LIKE '%PROCESSLIST%'");
}

}  // namespace

TEST_CASE("a rule's timeout kills the query on its server and the client is told why") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() +
                      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, "
                      "destination_hostgroup, timeout, apply) VALUES "
                      "(1, 1, 'rule_timeout_marker', 10, 300, 1);\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy, "rwtest")));
  CHECK_FALSE(c.query("SELECT SLEEP(10) AS rule_timeout_marker"));
  CHECK(c.errorCode() == 1969);
  CHECK(c.errorText().find("query timeout of 300 ms exceeded") != std::string::npos);
  CHECK(waitFor([] { return runningOnWriter("rule_timeout_marker") == "0"; }));
  // The session, and the connection that was killed under it, go on.
  CHECK(c.scalar("SELECT 'after'") == "after");
  CHECK(c.scalar("SELECT 'no timeout here'") == "no timeout here");
}

TEST_CASE("mysql-default_query_timeout applies to every query") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-default_query_timeout = 1000;\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy, "rwtest")));
  CHECK_FALSE(c.query("SELECT SLEEP(20) AS default_timeout_marker"));
  CHECK(c.errorCode() == 1969);
  CHECK(c.errorText().find("mysql-default_query_timeout") != std::string::npos);
  CHECK(c.scalar("SELECT 1") == "1");
}

TEST_CASE("a backend killed mid-transaction gives the client an error, not silent data loss") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy, "rwtest")));
  c.exec("BEGIN");
  c.exec("INSERT INTO t (v) VALUES ('lost-in-transaction')");
  std::string serverThread = c.scalar("SELECT CONNECTION_ID()");
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("KILL CONNECTION " + serverThread);
  // The next statement must not quietly run in autocommit on another connection.
  bool failed = !c.query("INSERT INTO t (v) VALUES ('after-the-loss')");
  CHECK(failed);
  CHECK((c.errorCode() == 2013 || c.errorCode() == 2006));
  CHECK(root.scalar("SELECT COUNT(*) FROM rwtest.t WHERE v IN ('lost-in-transaction', "
                    "'after-the-loss')") == "0");
  // The proxy itself is fine: a new client works.
  MysqlClient next;
  REQUIRE(next.connect(appOptions(proxy, "rwtest")));
  CHECK(next.scalar("SELECT 1") == "1");
}

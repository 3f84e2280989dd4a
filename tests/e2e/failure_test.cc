// When things go wrong: dead backends, backends dying mid-query, limits, timeouts, shutdown.
#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include <poll.h>
#include <sys/socket.h>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_socket.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

// The writer's processlist id of the app connection running `marker`, or "" if none.
std::string serverThreadRunning(MysqlClient& root, const std::string& marker) {
  auto rs =
      root.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER='app' AND INFO LIKE '%" +
                 marker + "%' AND INFO NOT LIKE '%PROCESSLIST%'");
  if (!rs || rs->rows.empty() || !rs->rows[0][0]) {
    return "";
  }
  return *rs->rows[0][0];
}

}  // namespace

TEST_CASE("a backend that is down gives 9001 naming the hostgroup, and the proxy keeps serving") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  // Port 1 on loopback: nothing listens there.
  options.configSql = ProxyProcess::clusterConfig() +
                      "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (30, "
                      "'127.0.0.1', 1);\n"
                      "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES "
                      "('root', 'rootpw', 30);\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  ConnectOptions o = appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"));
  o.user = "root";
  o.password = "rootpw";
  o.database = "";
  REQUIRE(c.connect(o));  // the login is the proxy's; the backend is needed at the first query
  CHECK_FALSE(c.query("SELECT 1"));
  CHECK(c.errorCode() == 9001);
  CHECK(c.errorText().find("Max connect timeout reached while reaching hostgroup 30") !=
        std::string::npos);
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  CHECK(app.scalar("SELECT @@server_id") == "1");
}

TEST_CASE("a backend connection killed mid-query gives a clear error; the session goes on") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  MysqlClient victim;
  REQUIRE(victim.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  MysqlClient bystander;
  REQUIRE(bystander.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));

  std::atomic<bool> failed{false};
  unsigned code = 0;
  std::thread query([&] {
    failed = !victim.query("SELECT SLEEP(60) AS kill_me_marker");
    code = victim.errorCode();
  });
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  std::string id;
  REQUIRE(waitFor([&] { return !(id = serverThreadRunning(root, "kill_me_marker")).empty(); }));
  root.exec("KILL CONNECTION " + id);
  query.join();
  CHECK(failed);
  CHECK(code == 1158);  // ER_NET_READ_ERROR
  CHECK(victim.errorText().find("Lost connection to backend") != std::string::npos);
  CHECK(victim.scalar("SELECT 'recovered'") == "recovered");
  CHECK(bystander.scalar("SELECT 'unaffected'") == "unaffected");
}

TEST_CASE("a read whose replica connection breaks before any reply runs again on another one") {
  const auto& env = ClusterEnv::get();
  REQUIRE(env.replicaCount() >= 2);
  ProxyProcess proxy;
  // Reads marked retry_marker go to the replicas' hostgroup.
  REQUIRE(proxy.start(ProxyProcess::clusterOptions(
      "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, "
      "apply) VALUES (1, 1, 'retry_marker', 20, 1);\n")));
  MysqlClient client;
  REQUIRE(client.connect(appOptions(proxy, env.value("TEST_SCHEMA"))));
  std::optional<ResultSet> result;
  std::thread query(
      [&] { result = client.query("SELECT SLEEP(2) AS retry_marker, @@server_id AS served_by"); });
  // Kill its connection on whichever replica runs it: a replica dying mid-query.
  std::string killedServerId;
  REQUIRE(waitFor([&] {
    for (int n = 1; n <= env.replicaCount(); ++n) {
      MysqlClient root;
      connectRoot(root, env.replicaPort(n));
      std::string id = serverThreadRunning(root, "retry_marker");
      if (!id.empty()) {
        killedServerId = root.scalar("SELECT @@server_id");
        root.exec("KILL CONNECTION " + id);
        return true;
      }
    }
    return false;
  }));
  query.join();
  REQUIRE(result);  // no error: the proxy ran it again
  REQUIRE(result->rows.size() == 1);
  CHECK(result->rows[0][0] == "0");
  CHECK(result->rows[0][1] != killedServerId);  // on the other replica
}

TEST_CASE("mysql-max_connections refuses the client over the limit with 1040") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-max_connections=2;\n";
  REQUIRE(proxy.start(options));
  MysqlClient a, b, c;
  REQUIRE(a.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  REQUIRE(b.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  CHECK_FALSE(c.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  CHECK(c.errorCode() == 1040);
  CHECK(a.scalar("SELECT 1") == "1");
}

TEST_CASE("a client that never finishes its handshake is dropped after connect_timeout_client") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-connect_timeout_client=1000;\n";
  REQUIRE(proxy.start(options));
  CHECK(waitForServerClose(proxy.appPort(), 30));
  MysqlClient a;
  REQUIRE(a.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
}

TEST_CASE("SIGTERM lets the running query finish, then exits 0") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
  std::string answer;
  std::thread query([&] {
    auto rs = c.query("SELECT SLEEP(2) AS sigterm_marker, 'done'");
    if (rs && !rs->rows.empty()) {
      answer = *rs->rows[0][1];
    }
  });
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  REQUIRE(waitFor([&] { return !serverThreadRunning(root, "sigterm_marker").empty(); }));
  int status = proxy.stop();
  query.join();
  CHECK(status == 0);
  CHECK(answer == "done");
  MysqlClient late;
  CHECK_FALSE(late.connect(appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"))));
}

TEST_CASE("a server's max_connections is respected; idle connections still serve") {
  // Its own account: other tests share the cluster in parallel, and the count of backend
  // connections below must see only this test's.
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE USER IF NOT EXISTS 'maxconn'@'%' IDENTIFIED BY 'maxconn_pw'");
  root.exec("GRANT ALL ON rwtest.* TO 'maxconn'@'%'");
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() +
                      "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES "
                      "('maxconn', 'maxconn_pw', 10);\n"
                      "UPDATE mysql_servers SET max_connections = 1 WHERE hostgroup_id = 10;\n"
                      "SET mysql-connect_timeout_server_max = 300;\n";
  options.threads = 1;
  REQUIRE(proxy.start(options));
  ConnectOptions login = appOptions(proxy, ClusterEnv::get().value("TEST_SCHEMA"));
  login.user = "maxconn";
  login.password = "maxconn_pw";
  MysqlClient a;
  REQUIRE(a.connect(login));
  MysqlClient b;
  REQUIRE(b.connect(login));
  a.exec("BEGIN");  // holds the writer's only connection
  a.exec("SELECT 1");
  CHECK_FALSE(b.query("SELECT 2"));  // waits in the queue, then gives up
  CHECK(b.errorCode() == 9001);
  CHECK(b.errorText().find("max_connections") != std::string::npos);
  a.exec("COMMIT");                    // the connection goes back to the pool...
  CHECK(b.scalar("SELECT 3") == "3");  // ...and serves b
  CHECK(root.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'maxconn'") ==
        "1");
}

TEST_CASE("an idle client is disconnected after mysql-wait_timeout") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-wait_timeout=1500;\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy)));
  REQUIRE(c.scalar("SELECT 1") == "1");
  // Watch the socket without sending anything (a query would reset the idle clock).
  int fd = static_cast<int>(mysql_get_socket(c.handle()));
  CHECK(waitFor(
      [&] {
        pollfd p{fd, POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, 0) <= 0) {
          return false;
        }
        char byte;
        return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;  // orderly close
      },
      std::chrono::seconds(30)));
  MysqlClient other;
  REQUIRE(other.connect(appOptions(proxy)));  // the proxy itself is fine
}

TEST_CASE("a command larger than mysql-max_allowed_packet gets 1153 and the proxy goes on") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + "SET mysql-max_allowed_packet=1048576;\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy)));
  std::string big = "SELECT '" + std::string(2 * 1024 * 1024, 'x') + "'";
  CHECK_FALSE(c.query(big));
  CHECK(c.errorCode() == 1153);
  MysqlClient d;
  REQUIRE(d.connect(appOptions(proxy)));
  CHECK(d.scalar("SELECT LENGTH('" + std::string(1000, 'y') + "')") == "1000");
}

TEST_CASE("servers may be given by host name; an unknown name is a clear error") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql =
      "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (10, 'localhost', " +
      std::to_string(env.writerPort()) +
      ");\n"
      "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (30, "
      "'no-such-host.invalid', 3306);\n"
      "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('app', 'app_pw', "
      "10);\n"
      "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('root', 'rootpw', "
      "30);\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(appOptions(proxy)));
  CHECK(c.scalar("SELECT @@server_id") == "1");
  MysqlClient lost;
  ConnectOptions o = appOptions(proxy);
  o.user = "root";
  o.password = "rootpw";
  REQUIRE(lost.connect(o));
  CHECK_FALSE(lost.query("SELECT 1"));
  CHECK(lost.errorCode() == 9001);
  CHECK(lost.errorText().find("hostgroup 30") != std::string::npos);
}

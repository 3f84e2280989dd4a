// Backend health and the connection pool: shunning a dead server and bringing it back, idle
// connection maintenance (pings, max age, free_connections_pct), connect retries, and
// stats_mysql_connection_pool.
#include <catch2/catch.hpp>

#include <chrono>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/private_cluster.h"
#include "tests/support/proxy_process.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

using PoolRow = std::map<std::string, std::string>;

// The stats_mysql_connection_pool row of hostgroup:port (columns by name); empty if none.
PoolRow poolRow(MysqlClient& admin, int hostgroup, int port,
                const std::string& table = "stats_mysql_connection_pool") {
  auto rs =
      admin.query("SELECT * FROM " + table + " WHERE hostgroup = " + std::to_string(hostgroup) +
                  " AND srv_port = " + std::to_string(port));
  PoolRow row;
  if (rs && rs->rows.size() == 1) {
    for (size_t i = 0; i < rs->columns.size(); ++i) {
      row[rs->columns[i]] = rs->rows[0][i].value_or("NULL");
    }
  }
  return row;
}

long long number(const PoolRow& row, const std::string& column) {
  auto it = row.find(column);
  return it == row.end() ? -1 : std::stoll(it->second);
}

std::string serverRows(const ClusterEnv& env, int hostgroup, const std::vector<int>& ports) {
  std::string sql;
  for (int port : ports) {
    sql += "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (" +
           std::to_string(hostgroup) + ", '127.0.0.1', " + std::to_string(port) + ");\n";
  }
  sql += "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('" +
         env.value("APP_USER") + "', '" + env.value("APP_PASSWORD") + "', " +
         std::to_string(hostgroup) + ");\n";
  return sql;
}

// Hostgroup 30 on loopback ports nobody listens on, for root (which the cluster also has).
std::string deadHostgroup(const std::string& ports) {
  std::string sql;
  for (char port : ports) {
    sql += "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (30, '127.0.0.1', " +
           std::string(1, port) + ");\n";
  }
  return sql +
         "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('root', "
         "'rootpw', 30);\n";
}

ConnectOptions rootLogin(const ProxyProcess& proxy) {
  ConnectOptions o = appOptions(proxy);
  o.user = "root";
  o.password = "rootpw";
  return o;
}

ConnectOptions loginTo(const ProxyProcess& proxy, const ClusterEnv& env) {
  ConnectOptions o;
  o.port = proxy.appPort();
  o.user = env.value("APP_USER");
  o.password = env.value("APP_PASSWORD");
  return o;
}

}  // namespace

TEST_CASE("a stopped replica is SHUNNED, reads go on via the other, and it comes back") {
  // Its own cluster: stopping a server of the shared one would break the tests running beside.
  PrivateCluster cluster(1);
  const ClusterEnv& env = cluster.env();
  int writerPort = env.writerPort();
  int replicaPort = env.replicaPort(1);
  ProxyProcess proxy;
  ProxyProcess::Options options;
  // Both servers read for hostgroup 20; server_id 1 is the writer, 2 the replica.
  options.configSql =
      serverRows(env, 20, {writerPort, replicaPort}) + "SET mysql-shun_recovery_time_sec=2;\n";
  REQUIRE(proxy.start(options));
  MysqlClient c;
  REQUIRE(c.connect(loginTo(proxy, env)));
  MysqlClient admin;
  connectAdmin(admin, proxy);

  std::map<std::string, int> seen;
  REQUIRE(waitFor([&] {
    seen[c.scalar("SELECT @@server_id")]++;
    return seen["1"] > 0 && seen["2"] > 0;
  }));
  CHECK(poolRow(admin, 20, replicaPort)["status"] == "ONLINE");

  cluster.stopServer(2);
  // Reads that pick the stopped server fail to connect and are retried on the other one; enough
  // failures within a second shun it. (A read caught on a pooled connection at the very moment
  // the server shut down may fail; that is why the reads here are not checked yet.)
  REQUIRE(waitFor([&] {
    for (int i = 0; i < 10; ++i) {
      (void)c.query("SELECT @@server_id");
    }
    return poolRow(admin, 20, replicaPort)["status"] == "SHUNNED";
  }));
  PoolRow shunned = poolRow(admin, 20, replicaPort);
  CHECK(number(shunned, "ConnERR") >= 5);
  CHECK(number(shunned, "ConnFree") == 0);
  CHECK(globalStatus(admin, "Servers_shunned") == "1");
  CHECK(poolRow(admin, 20, writerPort)["status"] == "ONLINE");
  // Every read now succeeds on the writer, also past the 2 s recovery time, when the shunned
  // server is tried again and fails again (the read is retried on the other one). Reads for
  // 3 s: the loop's length is what makes it cross the recovery time, nothing is timed.
  auto pastRecovery = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int reads = 0;
  while (std::chrono::steady_clock::now() < pastRecovery) {
    REQUIRE(c.scalar("SELECT @@server_id") == "1");
    ++reads;
  }
  CHECK(reads > 0);

  cluster.startServer(2);
  seen.clear();
  CHECK(waitFor([&] {
    seen[c.scalar("SELECT @@server_id")]++;
    return seen["2"] > 0 && poolRow(admin, 20, replicaPort)["status"] == "ONLINE";
  }));
  CHECK(globalStatus(admin, "Servers_shunned") == "0");
}

TEST_CASE("a hostgroup whose only server is shunned answers at once with a clear error") {
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions(deadHostgroup("1") +
                                                   "SET mysql-shun_recovery_time_sec=3600;\n")));
  MysqlClient c;
  REQUIRE(c.connect(rootLogin(proxy)));
  MysqlClient admin;
  connectAdmin(admin, proxy);
  REQUIRE(waitFor([&] {
    for (int i = 0; i < 6; ++i) {
      CHECK_FALSE(c.query("SELECT 1"));
    }
    return poolRow(admin, 30, 1)["status"] == "SHUNNED";
  }));
  long long errors = number(poolRow(admin, 30, 1), "ConnERR");
  CHECK(errors >= 5);
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(c.query("SELECT 1"));
    CHECK(c.errorCode() == 9001);
    CHECK(c.errorText().find("hostgroup 30") != std::string::npos);
    CHECK(c.errorText().find("no ONLINE server") != std::string::npos);
  }
  // No connection was even tried while it is shunned.
  CHECK(number(poolRow(admin, 30, 1), "ConnERR") == errors);
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy)));
  CHECK(app.scalar("SELECT @@server_id") == "1");  // other hostgroups are unaffected
}

TEST_CASE("mysql-connect_retries_on_failure bounds the servers one query tries") {
  for (int retries : {0, 10}) {
    ProxyProcess proxy;
    // Two servers nobody listens on: with retries the query tries both, without only one.
    REQUIRE(proxy.start(ProxyProcess::clusterOptions(
        deadHostgroup("12") + "SET mysql-connect_retries_on_failure=" + std::to_string(retries) +
        ";\n")));
    MysqlClient c;
    REQUIRE(c.connect(rootLogin(proxy)));
    CHECK_FALSE(c.query("SELECT 1"));
    CHECK(c.errorCode() == 9001);
    MysqlClient admin;
    connectAdmin(admin, proxy);
    long long tried =
        number(poolRow(admin, 30, 1), "ConnERR") + number(poolRow(admin, 30, 2), "ConnERR");
    CHECK(tried == (retries == 0 ? 1 : 2));
  }
}

TEST_CASE("stats_mysql_connection_pool counts connections, queries and bytes; _reset clears") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions()));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  MysqlClient admin;
  connectAdmin(admin, proxy);
  c.exec("BEGIN");
  c.exec("SELECT 1");
  PoolRow inTransaction = poolRow(admin, 10, env.writerPort());
  CHECK(inTransaction["status"] == "ONLINE");
  CHECK(inTransaction["srv_host"] == "127.0.0.1");
  CHECK(number(inTransaction, "ConnUsed") == 1);
  CHECK(number(inTransaction, "ConnFree") == 0);
  CHECK(number(inTransaction, "ConnOK") == 1);
  CHECK(number(inTransaction, "MaxConnUsed") == 1);
  c.exec("COMMIT");
  for (int i = 0; i < 5; ++i) {
    c.exec("SELECT id FROM t LIMIT 1");
  }
  PoolRow after = poolRow(admin, 10, env.writerPort());
  CHECK(number(after, "ConnUsed") == 0);
  CHECK(number(after, "ConnFree") == 1);
  CHECK(number(after, "ConnOK") == 1);  // one connection served every query
  CHECK(number(after, "ConnERR") == 0);
  CHECK(number(after, "Queries") >= 8);
  CHECK(number(after, "Bytes_data_sent") > 8 * 5);
  CHECK(number(after, "Bytes_data_recv") > number(after, "Bytes_data_sent"));
  // The replicas of hostgroup 20 were not used.
  CHECK(number(poolRow(admin, 20, env.replicaPort(1)), "Queries") == 0);

  PoolRow reset = poolRow(admin, 10, env.writerPort(), "stats_mysql_connection_pool_reset");
  CHECK(number(reset, "Queries") == number(after, "Queries"));
  PoolRow cleared = poolRow(admin, 10, env.writerPort());
  CHECK(number(cleared, "Queries") == 0);
  CHECK(number(cleared, "ConnOK") == 0);
  CHECK(number(cleared, "Bytes_data_sent") == 0);
  CHECK(number(cleared, "ConnFree") == 1);  // a gauge, not a counter
  // stats_mysql_global's counters do not go back with the reset.
  CHECK(globalStatus(admin, "Server_Connections_created") == "1");
  CHECK(std::stoll(globalStatus(admin, "ConnPool_get_conn_immediate")) >= 5);
  CHECK(globalStatus(admin, "Server_Connections_connected") == "1");
}

TEST_CASE("mysql-connection_max_age_ms closes an old connection once idle, never mid-use") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  REQUIRE(proxy.start(ProxyProcess::clusterOptions("SET mysql-connection_max_age_ms=1000;\n", 1)));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  MysqlClient root;
  connectRoot(root, env.writerPort());
  auto alive = [&](const std::string& id) {
    return root.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id) ==
           "1";
  };
  // Held by a transaction, the connection outlives its max age...
  c.exec("BEGIN");
  std::string held = c.scalar("SELECT CONNECTION_ID()");
  REQUIRE(waitFor([&] {
    return root.scalar("SELECT TIME_MS > 2500 FROM information_schema.PROCESSLIST WHERE ID = " +
                       held) == "1";
  }));
  CHECK(c.scalar("SELECT CONNECTION_ID()") == held);
  CHECK(alive(held));
  // ...and goes when it is idle in the pool again.
  c.exec("COMMIT");
  CHECK(waitFor([&] { return !alive(held); }));
  CHECK(c.scalar("SELECT CONNECTION_ID()") != held);
}

TEST_CASE("idle connections are pinged: latency shows, healthy ones stay, pings are not queries") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  REQUIRE(
      proxy.start(ProxyProcess::clusterOptions("SET mysql-ping_interval_server_msec=1000;\n", 1)));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  std::string id = c.scalar("SELECT CONNECTION_ID()");
  MysqlClient admin;
  connectAdmin(admin, proxy);
  long long queries = number(poolRow(admin, 10, env.writerPort()), "Queries");
  REQUIRE(waitFor([&] { return number(poolRow(admin, 10, env.writerPort()), "Latency_us") > 0; }));
  CHECK(number(poolRow(admin, 10, env.writerPort()), "Queries") == queries);
  CHECK(c.scalar("SELECT CONNECTION_ID()") == id);  // pinged, not replaced
}

TEST_CASE("idle connections beyond mysql-free_connections_pct of max_connections are closed") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  // 10% of 20: two idle connections are kept; one worker, so it keeps the whole share.
  REQUIRE(proxy.start(ProxyProcess::clusterOptions(
      "UPDATE mysql_servers SET max_connections = 20 WHERE hostgroup_id = 10;\n"
      "SET mysql-free_connections_pct=10;\n"
      "SET mysql-ping_interval_server_msec=1000;\n",
      1)));
  std::vector<std::unique_ptr<MysqlClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<MysqlClient>());
    connectApp(*clients.back(), proxy.appPort(), "rwtest");
    clients.back()->exec("BEGIN");  // each holds a connection of its own
    clients.back()->exec("SELECT 1");
  }
  MysqlClient admin;
  connectAdmin(admin, proxy);
  CHECK(number(poolRow(admin, 10, env.writerPort()), "ConnUsed") == 5);
  for (auto& c : clients) {
    c->exec("COMMIT");
  }
  CHECK(waitFor([&] {
    return number(poolRow(admin, 10, env.writerPort()), "ConnFree") == 2 &&
           globalStatus(admin, "Server_Connections_connected") == "2";
  }));
  CHECK(clients[0]->scalar("SELECT 'still served'") == "still served");
}

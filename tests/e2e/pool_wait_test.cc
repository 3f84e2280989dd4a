// Pool exhaustion: when every server of a hostgroup is at max_connections, clients queue for a
// connection (first come, first served) instead of failing at once, across worker threads, and
// get a clear error when none frees in time. Idle connections move between worker threads
// rather than being closed on one and reopened on another.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

const TestAccount kAccount{"waituser", "wait_pw"};

void startProxy(ProxyProcess& proxy, int maxWaitMs, int maxConnections = 1,
                const std::string& extraSql = "") {
  kAccount.create();
  ProxyProcess::Options options;
  options.configSql =
      ProxyProcess::clusterConfig() + kAccount.usersRow(10) + extraSql +
      "UPDATE mysql_servers SET max_connections = " + std::to_string(maxConnections) +
      " WHERE hostgroup_id = 10;\n"
      "SET mysql-connect_timeout_server_max = " +
      std::to_string(maxWaitMs) + ";\n";
  options.threads = 2;  // waiters on both workers: the freed slot must cross threads
  REQUIRE(proxy.start(options));
}

void connect(MysqlClient& c, const ProxyProcess& proxy) {
  REQUIRE(c.connect(kAccount.login(proxy, "rwtest")));
}

int scalarInt(const ProxyProcess& proxy, const std::string& sql) {
  MysqlClient admin;
  connectAdmin(admin, proxy);
  return std::stoi(admin.scalar(sql));
}

// The worker thread (stats_mysql_processlist.ThreadID) serving `client`, found by its port.
int workerOf(MysqlClient& client, const ProxyProcess& proxy) {
  sockaddr_in local{};
  socklen_t length = sizeof local;
  REQUIRE(getsockname(static_cast<int>(mysql_get_socket(client.handle())),
                      reinterpret_cast<sockaddr*>(&local), &length) == 0);
  return scalarInt(proxy, "SELECT ThreadID FROM stats_mysql_processlist WHERE cli_port = " +
                              std::to_string(ntohs(local.sin_port)));
}

// Two connected clients, one on each of the proxy's two workers (connections land on a worker
// by the kernel's SO_REUSEPORT hash: keep connecting until both are taken).
std::array<std::unique_ptr<MysqlClient>, 2> clientsOnBothWorkers(const ProxyProcess& proxy) {
  std::array<std::unique_ptr<MysqlClient>, 2> found;
  std::vector<std::unique_ptr<MysqlClient>> spare;  // kept open: a closed port may be reused
  for (int attempt = 0; attempt < 64 && (!found[0] || !found[1]); ++attempt) {
    auto client = std::make_unique<MysqlClient>();
    connect(*client, proxy);
    int worker = workerOf(*client, proxy);
    REQUIRE((worker == 0 || worker == 1));
    auto& slot = found[static_cast<size_t>(worker)];
    (slot ? spare.emplace_back() : slot) = std::move(client);
  }
  REQUIRE(found[0]);
  REQUIRE(found[1]);
  return found;
}

// Connections the proxy logged in to the writer for this test's proxy (every row of hostgroup 10).
int writerLogins(const ProxyProcess& proxy) {
  return scalarInt(proxy,
                   "SELECT COALESCE(SUM(ConnOK), 0) FROM stats_mysql_connection_pool "
                   "WHERE hostgroup = 10");
}

}  // namespace

TEST_CASE("a full server's one connection moves between workers instead of being reopened") {
  ProxyProcess proxy;
  startProxy(proxy, 60000);
  auto clients = clientsOnBothWorkers(proxy);
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    // Each query needs the server's only connection, idle on the other worker's pool.
    for (size_t i = 0; i < 2; ++i) {
      std::string value = std::to_string(round * 2 + static_cast<int>(i));
      CHECK(clients[i]->scalar("SELECT " + value) == value);
    }
  }
  CHECK(writerLogins(proxy) == 1);
  CHECK(scalarInt(proxy,
                  "SELECT Variable_Value FROM stats_mysql_global "
                  "WHERE Variable_Name = 'Server_Connections_moved'") >= 2 * kRounds - 1);
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("a worker short of a connection borrows another worker's idle one") {
  ProxyProcess proxy;
  startProxy(proxy, 60000, /*maxConnections=*/100);
  auto clients = clientsOnBothWorkers(proxy);
  // A client can read its reply a moment before its worker has put the connection back in
  // its pool; the next query must find it there to borrow it.
  auto connectionIsIdle = [&] { return globalStatus(proxy, "Server_Connections_idle") == "1"; };
  // Session state travels with the client, not the connection: each sees its own time zone.
  clients[0]->exec("SET time_zone = '+01:00'");
  REQUIRE(waitFor(connectionIsIdle));
  clients[1]->exec("SET time_zone = '+02:00'");
  for (int round = 0; round < 5; ++round) {
    REQUIRE(waitFor(connectionIsIdle));
    CHECK(clients[0]->scalar("SELECT @@time_zone") == "+01:00");
    REQUIRE(waitFor(connectionIsIdle));
    CHECK(clients[1]->scalar("SELECT @@time_zone") == "+02:00");
  }
  // One at a time, so one connection is enough: the server never saw a second login.
  CHECK(writerLogins(proxy) == 1);
  CHECK(scalarInt(proxy,
                  "SELECT Variable_Value FROM stats_mysql_global "
                  "WHERE Variable_Name = 'Server_Connections_moved'") >= 1);
}

TEST_CASE("clients queue for a full server's connection and all get served when it frees") {
  ProxyProcess proxy;
  startProxy(proxy, 60000);
  MysqlClient holder;
  connect(holder, proxy);
  holder.exec("BEGIN");
  holder.exec("SELECT 1");  // the writer's only connection now stays with the transaction

  constexpr int kWaiters = 6;
  std::vector<std::unique_ptr<MysqlClient>> clients;
  for (int i = 0; i < kWaiters; ++i) {
    clients.push_back(std::make_unique<MysqlClient>());
    connect(*clients.back(), proxy);
  }
  std::vector<std::string> answers(kWaiters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      auto rs = clients[i]->query("SELECT " + std::to_string(i));
      answers[i] = rs && !rs->rows.empty() ? rs->rows[0][0].value_or("NULL")
                                           : "error " + std::to_string(clients[i]->errorCode());
    });
  }
  CHECK(waitFor([&] {
    return globalStatus(proxy, "ConnPool_sessions_waiting") == std::to_string(kWaiters);
  }));
  holder.exec("COMMIT");  // frees the connection: the queue drains
  for (auto& t : threads) {
    t.join();
  }
  for (int i = 0; i < kWaiters; ++i) {
    CHECK(answers[i] == std::to_string(i));
  }
  CHECK(globalStatus(proxy, "ConnPool_sessions_waiting") == "0");
  CHECK(std::stoi(globalStatus(proxy, "ConnPool_get_conn_wait")) >= kWaiters);
  CHECK(globalStatus(proxy, "ConnPool_get_conn_wait_timeout") == "0");
  // Never more than the one connection the server allows.
  CHECK(kAccount.writerConnections() == "1");
}

TEST_CASE("a client that waits too long gets a clear error and the session goes on") {
  ProxyProcess proxy;
  startProxy(proxy, 400);
  MysqlClient holder;
  connect(holder, proxy);
  holder.exec("BEGIN");
  holder.exec("SELECT 1");
  MysqlClient late;
  connect(late, proxy);
  CHECK_FALSE(late.query("SELECT 2"));
  CHECK(late.errorCode() == 9001);
  CHECK(late.errorText().find("max_connections") != std::string::npos);
  CHECK(globalStatus(proxy, "ConnPool_get_conn_wait_timeout") == "1");
  holder.exec("COMMIT");
  CHECK(late.scalar("SELECT 3") == "3");
}

TEST_CASE("connections of a server nobody waits for stay on their worker") {
  ProxyProcess proxy;
  startProxy(proxy, 60000, 1,
             "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, "
             "destination_hostgroup, apply) VALUES (1, 1, 'replica_marker', 20, 1);\n");
  auto clients = clientsOnBothWorkers(proxy);
  MysqlClient holder;
  connect(holder, proxy);
  holder.exec("BEGIN");
  holder.exec("SELECT 1");  // the writer's only connection
  std::string waited;
  std::thread waiter([&] { waited = clients[0]->scalar("SELECT 'waited'"); });
  REQUIRE(waitFor([&] { return globalStatus(proxy, "ConnPool_sessions_waiting") == "1"; }));
  // Replica connections on the other worker are no use to a session waiting for the writer:
  // they are neither lent nor parked for it.
  for (int i = 0; i < 20; ++i) {
    CHECK(clients[1]->scalar("SELECT 'replica_marker'") == "replica_marker");
  }
  CHECK(globalStatus(proxy, "Server_Connections_moved") == "0");
  CHECK(globalStatus(proxy, "Server_Connections_parked") == "0");
  holder.exec("COMMIT");
  waiter.join();
  CHECK(waited == "waited");
}

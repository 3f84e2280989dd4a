// Pool exhaustion: when every server of a hostgroup is at max_connections, clients queue for a
// connection (first come, first served) instead of failing at once, across worker threads, and
// get a clear error when none frees in time.
#include <catch2/catch.hpp>

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

void startProxy(ProxyProcess& proxy, int maxWaitMs) {
  kAccount.create();
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + kAccount.usersRow(10) +
                      "UPDATE mysql_servers SET max_connections = 1 WHERE hostgroup_id = 10;\n"
                      "SET mysql-connect_timeout_server_max = " +
                      std::to_string(maxWaitMs) + ";\n";
  options.threads = 2;  // waiters on both workers: the freed slot must cross threads
  REQUIRE(proxy.start(options));
}

void connect(MysqlClient& c, const ProxyProcess& proxy) {
  REQUIRE(c.connect(kAccount.login(proxy, "rwtest")));
}

std::string globalStatus(const ProxyProcess& proxy, const std::string& name) {
  MysqlClient admin;
  connectAdmin(admin, proxy);
  return admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE Variable_Name = '" +
                      name + "'");
}

}  // namespace

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

// A thousand application connections share a few dozen backend connections, and each still
// sees its own session.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"

using namespace rwproxy::test;

namespace {

const TestAccount kAccount{"manyuser", "many_pw"};
constexpr int kClients = 1000;
constexpr int kThreads = 16;

// Two sockets a client (ours and the proxy's, both in this test's process tree).
void raiseFileLimit() {
  rlimit limit{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &limit) == 0);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &limit) == 0);
  }
  REQUIRE(limit.rlim_cur >= 2 * kClients + 200);
}

}  // namespace

TEST_CASE("1,000 concurrent clients run queries, then idle, on a few dozen backend connections") {
  raiseFileLimit();
  kAccount.create();
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig() + kAccount.usersRow(10);
  REQUIRE(proxy.start(options));

  std::vector<std::unique_ptr<MysqlClient>> clients(kClients);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kClients; i += kThreads) {
        clients[i] = std::make_unique<MysqlClient>();
        if (!clients[i]->connect(kAccount.login(proxy, "rwtest"))) {
          failures[t] = "connect " + std::to_string(i) + ": " + clients[i]->errorText();
          return;
        }
        // Each client leaves its own state behind and reads it back later.
        clients[i]->exec("SET @me = " + std::to_string(i));
      }
      for (int round = 0; round < 3; ++round) {
        for (int i = t; i < kClients; i += kThreads) {
          std::string me = clients[i]->scalar("SELECT @me");
          std::string one = clients[i]->scalar("SELECT COUNT(*) >= 0 FROM t");
          if (me != std::to_string(i) || one != "1") {
            failures[t] = "client " + std::to_string(i) + " saw @me=" + me;
            return;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (const auto& f : failures) {
    CHECK(f.empty());
  }
  // All idle now: every client still connected, a handful of connections on the writer.
  MysqlClient admin;
  connectAdmin(admin, proxy);
  CHECK(std::stoi(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                               "Variable_Name = 'Client_Connections_connected'")) >= kClients);
  int backends = std::stoi(kAccount.writerConnections());
  INFO("backend connections for " << kClients << " clients: " << backends);
  CHECK(backends >= 1);
  CHECK(backends <= 2 * kThreads + 8);
  CHECK(clients[kClients - 1]->scalar("SELECT @me") == std::to_string(kClients - 1));
}

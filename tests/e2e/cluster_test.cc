// The test cluster itself: every later end-to-end test relies on these facts.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

TEST_CASE("each server answers with its own server_id") {
  const auto& env = ClusterEnv::get();
  MysqlClient writer;
  connectRoot(writer, env.writerPort());
  CHECK(writer.scalar("SELECT @@server_id") == "1");
  REQUIRE(env.replicaCount() == 2);
  for (int n = 1; n <= env.replicaCount(); ++n) {
    MysqlClient replica;
    connectRoot(replica, env.replicaPort(n));
    CHECK(replica.scalar("SELECT @@server_id") == std::to_string(n + 1));
  }
}

TEST_CASE("the writer is writable and the replicas are read_only") {
  const auto& env = ClusterEnv::get();
  MysqlClient writer;
  connectRoot(writer, env.writerPort());
  CHECK(writer.scalar("SELECT @@read_only") == "0");
  for (int n = 1; n <= env.replicaCount(); ++n) {
    MysqlClient replica;
    connectApp(replica, env.replicaPort(n), env.value("TEST_SCHEMA"));
    CHECK(replica.scalar("SELECT @@read_only") == "1");
    // The application user has no SUPER, so read_only really stops it.
    CHECK_FALSE(replica.query("INSERT INTO t (v) VALUES ('must fail')"));
    CHECK(replica.errorCode() == 1290);  // ER_OPTION_PREVENTS_STATEMENT
  }
}

TEST_CASE("a row written on the writer appears on every replica") {
  const auto& env = ClusterEnv::get();
  const std::string schema = env.value("TEST_SCHEMA");
  std::random_device rd;
  const std::string marker = "replicated-" + std::to_string(rd()) + std::to_string(rd());

  MysqlClient writer;
  connectApp(writer, env.writerPort(), schema);
  writer.exec("INSERT INTO t (v) VALUES ('" + marker + "')");
  const std::string id = writer.scalar("SELECT LAST_INSERT_ID()");

  for (int n = 1; n <= env.replicaCount(); ++n) {
    MysqlClient replica;
    connectApp(replica, env.replicaPort(n), schema);
    const std::string probe =
        "SELECT COUNT(*) FROM t WHERE id = " + id + " AND v = '" + marker + "'";
    bool arrived = waitFor([&] { return replica.scalar(probe) == "1"; });
    CHECK(arrived);
  }
}

TEST_CASE("the application and monitor accounts exist with their passwords") {
  const auto& env = ClusterEnv::get();
  MysqlClient app;
  ConnectOptions bad;
  bad.port = env.writerPort();
  bad.user = env.value("APP_USER");
  bad.password = "not-the-password";
  CHECK_FALSE(app.connect(bad));
  CHECK(app.errorCode() == 1045);

  MysqlClient monitor;
  ConnectOptions options;
  options.port = env.replicaPort(1);
  options.user = env.value("MONITOR_USER");
  options.password = env.value("MONITOR_PASSWORD");
  REQUIRE(monitor.connect(options));
  auto status = monitor.query("SHOW SLAVE STATUS");
  REQUIRE(status);
  REQUIRE(status->rows.size() == 1);
}

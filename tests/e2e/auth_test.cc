// Logging in through the app port: rwproxy checks the password itself against mysql_users.
#include <catch2/catch.hpp>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"

using namespace rwproxy::test;

namespace {

ProxyProcess& proxy() {
  static ProxyProcess p;
  if (!p.running()) {
    ProxyProcess::Options options;
    options.configSql = ProxyProcess::clusterConfig() +
                        // the password hash of 'hashed_pw' as MySQL's PASSWORD() prints it
                        "INSERT INTO mysql_users (username, password, default_hostgroup, active) "
                        "VALUES ('sleeper', 'pw', 10, 0);\n"
                        "INSERT INTO mysql_users (username, password, default_hostgroup, "
                        "max_connections) VALUES ('limited', 'limited_pw', 10, 2);\n";
    REQUIRE(p.start(options));
  }
  return p;
}

ConnectOptions as(const std::string& user, const std::string& password) {
  ConnectOptions o;
  o.port = proxy().appPort();
  o.user = user;
  o.password = password;
  return o;
}

void createServerUser(const std::string& user, const std::string& password) {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
  root.exec("GRANT ALL ON rwtest.* TO '" + user + "'@'%'");
}

}  // namespace

TEST_CASE("the application user logs in and queries go to its default hostgroup") {
  MysqlClient c;
  REQUIRE(c.connect(as("app", "app_pw")));
  CHECK(c.scalar("SELECT @@server_id") == "1");
  CHECK(c.scalar("SELECT CURRENT_USER()") == "app@%");
}

TEST_CASE("a wrong password gets 1045 and the usual text") {
  MysqlClient c;
  CHECK_FALSE(c.connect(as("app", "wrong")));
  CHECK(c.errorCode() == 1045);
  CHECK(c.errorText().find("Access denied for user 'app'@'127.0.0.1' (using password: YES)") !=
        std::string::npos);
}

TEST_CASE("an unknown user gets 1045") {
  MysqlClient c;
  CHECK_FALSE(c.connect(as("nobody", "x")));
  CHECK(c.errorCode() == 1045);
  MysqlClient empty;
  CHECK_FALSE(empty.connect(as("nobody", "")));
  CHECK(empty.errorCode() == 1045);
  CHECK(empty.errorText().find("using password: NO") != std::string::npos);
}

TEST_CASE("a user with active=0 cannot log in") {
  MysqlClient c;
  CHECK_FALSE(c.connect(as("sleeper", "pw")));
  CHECK(c.errorCode() == 1045);
}

TEST_CASE("a user's max_connections is enforced with a clear error") {
  MysqlClient server;
  createServerUser("limited", "limited_pw");
  MysqlClient a, b, c;
  REQUIRE(a.connect(as("limited", "limited_pw")));
  REQUIRE(b.connect(as("limited", "limited_pw")));
  CHECK_FALSE(c.connect(as("limited", "limited_pw")));
  CHECK(c.errorCode() == 1226);
  CHECK(c.errorText().find("max_user_connections") != std::string::npos);
  a.exec("SELECT 1");  // the admitted ones still work
}

TEST_CASE("a *-hashed password logs in to the proxy and to the backend") {
  createServerUser("hashed", "hashed_pw");
  MysqlClient admin;
  ConnectOptions o;
  o.port = proxy().adminPort();
  o.user = "admin";
  o.password = "admin";
  bool connected = admin.connect(o);
  INFO(admin.errorText());
  REQUIRE(connected);
  // The hash is what MySQL's PASSWORD('hashed_pw') gives; the proxy never sees the plaintext.
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  std::string hash = root.scalar("SELECT PASSWORD('hashed_pw')");
  REQUIRE(hash.size() == 41);
  admin.exec("INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('hashed', '" +
             hash + "', 10)");
  admin.exec("LOAD MYSQL USERS TO RUNTIME");
  MysqlClient c;
  REQUIRE(c.connect(as("hashed", "hashed_pw")));
  CHECK(c.scalar("SELECT CURRENT_USER()") == "hashed@%");
  MysqlClient wrong;
  CHECK_FALSE(wrong.connect(as("hashed", "hashed_pw2")));
  CHECK(wrong.errorCode() == 1045);
}

TEST_CASE("passwords never reach the log") {
  MysqlClient c;
  CHECK_FALSE(c.connect(as("app", "secret-that-must-not-be-logged")));
  CHECK(proxy().log().find("secret-that-must-not-be-logged") == std::string::npos);
  CHECK(proxy().log().find("app_pw") == std::string::npos);
}

// The operator's view: the admin port on 6032 in ProxySQL's dialect, driven with libmariadb and
// the stock mariadb CLI.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_socket.h"

using namespace rwproxy::test;

namespace {

// Runs the stock mariadb CLI; returns its output (stdout and stderr).
std::string runCli(int port, const std::string& user, const std::string& password,
                   const std::string& sql) {
  std::string cmd = "mariadb --no-defaults -h127.0.0.1 -P" + std::to_string(port) + " -u" + user +
                    " -p" + password + " --batch -e \"" + sql + "\" 2>&1";
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) {
    out.append(buf, n);
  }
  return out;
}

}  // namespace

TEST_CASE("the README operator session works and survives a restart") {
  const auto& env = ClusterEnv::get();
  ProxyProcess proxy;
  ProxyProcess::Options options;  // no config at all: everything through the admin port
  REQUIRE(proxy.start(options));
  {
    MysqlClient admin;
    connectAdmin(admin, proxy);
    admin.exec(
        "INSERT INTO mysql_servers(hostgroup_id,hostname,port,weight) VALUES (10,'127.0.0.1'," +
        std::to_string(env.writerPort()) + ",1000)");
    admin.exec(
        "INSERT INTO mysql_users(username,password,default_hostgroup) VALUES ('app','app_pw',10)");
    // Before LOAD the runtime knows nobody.
    MysqlClient early;
    CHECK_FALSE(early.connect(appOptions(proxy)));
    CHECK(early.errorCode() == 1045);
    admin.exec("LOAD MYSQL SERVERS TO RUNTIME");
    admin.exec("LOAD MYSQL USERS TO RUNTIME");
    admin.exec("SAVE MYSQL SERVERS TO DISK");
    admin.exec("SAVE MYSQL USERS TO DISK");
    CHECK(admin.scalar("SELECT COUNT(*) FROM runtime_mysql_servers") == "1");
    CHECK(admin.scalar("SELECT weight FROM mysql_servers") == "1000");
    // ProxySQL's defaults fill the columns the INSERT left out.
    CHECK(admin.scalar("SELECT max_connections FROM mysql_servers") == "1000");
    CHECK(admin.scalar("SELECT transaction_persistent FROM mysql_users") == "1");
  }
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy)));
  CHECK(app.scalar("SELECT @@server_id") == "1");

  // Restart on the same datadir without a config file: the disk database is the truth.
  std::string datadir = proxy.datadir();
  CHECK(proxy.stop() == 0);
  ProxyProcess again;
  ProxyProcess::Options same;
  same.datadir = datadir;
  REQUIRE(again.start(same));
  MysqlClient app2;
  REQUIRE(app2.connect(appOptions(again)));
  CHECK(app2.scalar("SELECT @@server_id") == "1");
  MysqlClient admin2;
  connectAdmin(admin2, again);
  CHECK(admin2.scalar("SELECT COUNT(*) FROM disk.mysql_users") == "1");
}

TEST_CASE("an invalid value in LOAD TO RUNTIME leaves the old runtime live") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  MysqlClient admin;
  connectAdmin(admin, proxy);
  // A password that is neither plaintext-safe nor a well-formed hash... use a bad hash.
  admin.exec("UPDATE mysql_users SET password='*NOTAHASH' WHERE username='app'");
  auto loaded = admin.query("LOAD MYSQL USERS TO RUNTIME");
  CHECK_FALSE(loaded);
  CHECK(admin.errorText().find("app") != std::string::npos);
  // The old runtime still lets app in with its real password.
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy)));
  CHECK(app.scalar("SELECT 1") == "1");
  CHECK(admin.scalar("SELECT password FROM runtime_mysql_users WHERE username='app'") == "app_pw");

  // A variable with a bad value: SET refuses it outright, naming it.
  CHECK_FALSE(admin.query("SET mysql-max_connections='lots'"));
  CHECK(admin.errorText().find("mysql-max_connections") != std::string::npos);
  // The same through UPDATE is caught at LOAD.
  admin.exec("UPDATE global_variables SET variable_value='-5' WHERE variable_name='mysql-threads'");
  CHECK_FALSE(admin.query("LOAD MYSQL VARIABLES TO RUNTIME"));
  CHECK(admin.errorText().find("mysql-threads") != std::string::npos);
  CHECK(app.scalar("SELECT 2") == "2");
}

TEST_CASE("the mysql CLI works on the admin port, start-up queries included") {
  ProxyProcess proxy;
  REQUIRE(proxy.start({}));
  std::string out = runCli(proxy.adminPort(), "admin", "admin",
                           "SHOW DATABASES; SHOW TABLES; SELECT DATABASE(); SELECT @@version; "
                           "SHOW CREATE TABLE mysql_servers; SELECT * FROM global_variables "
                           "WHERE variable_name='mysql-threads'");
  CHECK(out.find("ERROR") == std::string::npos);
  CHECK(out.find("mysql_query_rules") != std::string::npos);
  CHECK(out.find("CREATE TABLE") != std::string::npos);
  CHECK(out.find("mysql-threads") != std::string::npos);
  // Wrong admin password: refused.
  std::string denied = runCli(proxy.adminPort(), "admin", "nope", "SELECT 1");
  CHECK(denied.find("ERROR 1045") != std::string::npos);
}

TEST_CASE("SET and SHOW VARIABLES in ProxySQL's dialect") {
  ProxyProcess proxy;
  REQUIRE(proxy.start({}));
  MysqlClient admin;
  connectAdmin(admin, proxy);
  admin.exec("SET mysql-max_connections=77");
  admin.exec("LOAD MYSQL VARIABLES TO RUNTIME");
  CHECK(admin.scalar("SELECT variable_value FROM runtime_global_variables WHERE "
                     "variable_name='mysql-max_connections'") == "77");
  auto shown = admin.query("SHOW VARIABLES LIKE 'mysql-max_connections'");
  REQUIRE(shown);
  REQUIRE(shown->rows.size() == 1);
  CHECK(*shown->rows[0][1] == "77");
  CHECK_FALSE(admin.query("SET mysql-no_such_thing=1"));
  CHECK_FALSE(admin.query("SELECT * FROM no_such_table"));
  CHECK(admin.errorText().find("no_such_table") != std::string::npos);
}

TEST_CASE("garbage and truncated handshakes on both ports leave the proxy serving") {
  ProxyProcess proxy;
  ProxyProcess::Options options;
  options.configSql = ProxyProcess::clusterConfig();
  REQUIRE(proxy.start(options));
  std::string garbage(3000, '\xAB');
  std::string truncated("\x40\x00\x00\x01\x0d\xa2", 6);  // a handshake response cut short
  std::string hugeLength("\xff\xff\xff\x01junk", 8);     // claims a 16 MiB packet, then stops
  for (int port : {proxy.appPort(), proxy.adminPort()}) {
    CHECK(sendRawBytes(port, garbage, false));
    CHECK(sendRawBytes(port, garbage, true));
    CHECK(sendRawBytes(port, truncated, true));
    CHECK(sendRawBytes(port, hugeLength, true));
    CHECK(sendRawBytes(port, std::string("\x00\x00\x00\x01", 4), true));  // empty response
  }
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy)));
  CHECK(app.scalar("SELECT 40 + 2") == "42");
  MysqlClient admin;
  connectAdmin(admin, proxy);
  CHECK(admin.scalar("SELECT COUNT(*) FROM mysql_users") == "1");
  CHECK(proxy.running());
}

TEST_CASE("a corrupt datadir is refused with a clear error, never reset") {
  ProxyProcess proxy;
  REQUIRE(proxy.start({}));
  std::string datadir = proxy.datadir();
  CHECK(proxy.stop() == 0);
  {
    FILE* f = std::fopen((datadir + "/rwproxy.db").c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::string junk(4096, 'Z');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  ProxyProcess broken;
  ProxyProcess::Options same;
  same.datadir = datadir;
  CHECK_FALSE(broken.start(same));
  CHECK(broken.log().find("rwproxy.db") != std::string::npos);
}

TEST_CASE("an admin client that never logs in is dropped") {
  ProxyProcess proxy;
  REQUIRE(proxy.start({}));
  CHECK(waitForServerClose(proxy.adminPort(), 60));  // after about 10 s
  MysqlClient admin;
  connectAdmin(admin, proxy);
  CHECK(admin.scalar("SELECT 1") == "1");
}

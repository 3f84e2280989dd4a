// LOAD / SAVE in every form and synonym, across memory, runtime and disk.

#include <catch2/catch.hpp>

#include "admin_test_util.h"

using namespace rwproxy::admin;
using namespace rwproxy::admin::test;

namespace {

std::string count(Fixture& f, const std::string& table) {
  return scalar(f.exec, "SELECT COUNT(*) FROM " + table).value_or("NULL");
}

}  // namespace

TEST_CASE("every memory -> runtime form publishes a new version", "[layers]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostgroup_id, hostname) VALUES (1, 'db1')");
  const char* forms[] = {
      "LOAD MYSQL SERVERS TO RUNTIME",
      "load mysql servers to run;",
      "LOAD MYSQL SERVERS FROM MEMORY",
      "LOAD  MYSQL  SERVERS  FROM  MEM",
  };
  uint64_t version = f.exec.runtime()->version;
  for (const char* form : forms) {
    INFO(form);
    f.ok(form);
    REQUIRE(f.exec.runtime()->version == ++version);
    CHECK(f.published.back() == f.exec.runtime());
    REQUIRE(f.exec.runtime()->servers.size() == 1);
    CHECK(f.exec.runtime()->servers[0].hostname == "db1");
  }
  CHECK(count(f, "runtime_mysql_servers") == "1");
}

TEST_CASE("every runtime -> memory form restores memory", "[layers]") {
  Fixture f;
  f.ok("INSERT INTO mysql_users (username, password) VALUES ('app', 'pw')");
  f.ok("LOAD MYSQL USERS TO RUNTIME");
  for (const char* form : {"SAVE MYSQL USERS TO MEMORY", "SAVE MYSQL USERS TO MEM",
                           "SAVE MYSQL USERS FROM RUNTIME", "save mysql users from run"}) {
    INFO(form);
    f.ok("DELETE FROM mysql_users");
    f.ok(form);
    CHECK(count(f, "mysql_users") == "1");
  }
}

TEST_CASE("every memory -> disk and disk -> memory form", "[layers]") {
  Fixture f;
  for (const char* save : {"SAVE MYSQL QUERY RULES TO DISK", "SAVE MYSQL QUERY RULES FROM MEMORY",
                           "SAVE MYSQL QUERY RULES FROM MEM"}) {
    INFO(save);
    f.ok("DELETE FROM mysql_query_rules");
    f.ok("INSERT INTO mysql_query_rules (rule_id, active, match_digest) VALUES (7, 1, '^SELECT')");
    f.ok(save);
    CHECK(count(f, "disk.mysql_query_rules") == "1");
    f.ok("DELETE FROM disk.mysql_query_rules");
  }
  f.ok("SAVE MYSQL QUERY RULES TO DISK");
  for (const char* load : {"LOAD MYSQL QUERY RULES FROM DISK", "LOAD MYSQL QUERY RULES TO MEMORY",
                           "LOAD MYSQL QUERY RULES TO MEM"}) {
    INFO(load);
    f.ok("DELETE FROM mysql_query_rules");
    f.ok(load);
    CHECK(scalar(f.exec, "SELECT match_digest FROM mysql_query_rules WHERE rule_id=7") ==
          "^SELECT");
  }
}

TEST_CASE("servers module carries the replication hostgroups", "[layers]") {
  Fixture f;
  f.ok(
      "INSERT INTO mysql_replication_hostgroups (writer_hostgroup, reader_hostgroup) "
      "VALUES (0, 1)");
  f.ok("LOAD MYSQL SERVERS TO RUNTIME");
  REQUIRE(f.exec.runtime()->replicationHostgroups.size() == 1);
  CHECK(f.exec.runtime()->replicationHostgroups[0].checkType == "read_only");
  CHECK(count(f, "runtime_mysql_replication_hostgroups") == "1");
  f.ok("SAVE MYSQL SERVERS TO DISK");
  CHECK(count(f, "disk.mysql_replication_hostgroups") == "1");
}

TEST_CASE("variables: SET, load to runtime, save and load back", "[layers]") {
  Fixture f;
  f.ok("SET mysql-max_connections = 123");
  CHECK(f.exec.runtime()->mysql.maxConnections == 10000);  // memory only until LOAD
  f.ok("LOAD MYSQL VARIABLES TO RUNTIME");
  CHECK(f.exec.runtime()->mysql.maxConnections == 123);
  CHECK(scalar(f.exec,
               "SELECT variable_value FROM runtime_global_variables "
               "WHERE variable_name='mysql-max_connections'") == "123");
  f.ok("SAVE MYSQL VARIABLES TO DISK");
  CHECK(scalar(f.exec,
               "SELECT variable_value FROM disk.global_variables "
               "WHERE variable_name='mysql-max_connections'") == "123");
  f.ok("SET mysql-max_connections = 5");
  f.ok("LOAD MYSQL VARIABLES FROM DISK");
  CHECK(scalar(f.exec,
               "SELECT variable_value FROM global_variables "
               "WHERE variable_name='mysql-max_connections'") == "123");
  f.ok("SET mysql-max_connections = 5");
  f.ok("SAVE MYSQL VARIABLES FROM RUNTIME");
  CHECK(scalar(f.exec,
               "SELECT variable_value FROM global_variables "
               "WHERE variable_name='mysql-max_connections'") == "123");
  // Modules do not leak into each other.
  CHECK(scalar(f.exec,
               "SELECT COUNT(*) FROM runtime_global_variables "
               "WHERE variable_name LIKE 'admin-%'") == "0");
}

TEST_CASE("admin variables publish an AdminRuntime", "[layers]") {
  Fixture f;
  f.ok("SET admin-admin_credentials='admin:admin;ops:pw'");
  f.ok("SET admin-mysql_ifaces = '127.0.0.1:7032'");
  for (const char* form : {"LOAD ADMIN VARIABLES TO RUNTIME", "LOAD ADMIN VARIABLES FROM MEMORY",
                           "load admin variables to run"}) {
    f.ok(form);
  }
  REQUIRE(f.publishedAdmin.size() == 3);
  auto admin = f.exec.adminRuntime();
  REQUIRE(admin->adminCredentials.size() == 2);
  CHECK(admin->adminCredentials[1].user == "ops");
  CHECK(admin->adminCredentials[1].password == "pw");
  CHECK(admin->mysqlIfaces == "127.0.0.1:7032");
  CHECK(f.published.empty());  // the data plane's runtime is untouched
  f.ok("SAVE ADMIN VARIABLES TO DISK");
  f.ok("SAVE ADMIN VARIABLES FROM MEMORY");
  f.ok("LOAD ADMIN VARIABLES FROM DISK");
  f.ok("SAVE ADMIN VARIABLES TO MEMORY");
}

TEST_CASE("loadAllToRuntime publishes every module once", "[layers]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostname) VALUES ('db1')");
  f.ok("INSERT INTO mysql_users (username) VALUES ('app')");
  REQUIRE(f.exec.loadAllToRuntime().isOk());
  REQUIRE(f.published.size() == 1);
  CHECK(f.published[0]->version == 1);
  CHECK(f.published[0]->servers.size() == 1);
  CHECK(f.published[0]->users.size() == 1);
  CHECK(f.publishedAdmin.size() == 1);
  CHECK(count(f, "runtime_global_variables") == count(f, "global_variables"));
}

TEST_CASE("LOAD FROM CONFIG re-reads the module's statements", "[layers]") {
  TempDir dir;
  writeFile(dir.file("rwproxy.cnf"),
            "INSERT INTO mysql_servers (hostname) VALUES ('db1');\n"
            "INSERT INTO mysql_users (username) VALUES ('app');\n"
            "SET mysql-threads = 3;\n"
            "LOAD MYSQL SERVERS TO RUNTIME;\n");
  ConfigStore store = openStore(dir.path(), dir.file("rwproxy.cnf"));
  AdminExecutor exec(store, AdminHooks{});
  requireOk(exec.execute("DELETE FROM mysql_servers"));
  requireOk(exec.execute("INSERT INTO mysql_servers (hostname) VALUES ('other')"));
  requireOk(exec.execute("DELETE FROM mysql_users"));
  requireOk(exec.execute("SET mysql-threads = 7"));
  requireOk(exec.execute("LOAD MYSQL SERVERS FROM CONFIG"));
  CHECK(scalar(exec, "SELECT group_concat(hostname) FROM mysql_servers") == "db1");
  CHECK(scalar(exec, "SELECT COUNT(*) FROM mysql_users") == "0");  // other modules untouched
  requireOk(exec.execute("LOAD MYSQL USERS FROM CONFIG"));
  CHECK(scalar(exec, "SELECT COUNT(*) FROM mysql_users") == "1");
  requireOk(exec.execute("LOAD MYSQL VARIABLES FROM CONFIG"));
  CHECK(scalar(exec,
               "SELECT variable_value FROM global_variables "
               "WHERE variable_name='mysql-threads'") == "3");
}

TEST_CASE("LOAD FROM CONFIG without a config file fails", "[layers]") {
  Fixture f;
  Failure fail = requireFailure(f.run("LOAD MYSQL SERVERS FROM CONFIG"));
  CHECK(fail.message.find("config file") != std::string::npos);
}

TEST_CASE("SAVE TO DISK survives a restart", "[layers]") {
  TempDir dir;
  {
    ConfigStore store = openStore(dir.path());
    AdminExecutor exec(store, AdminHooks{});
    requireOk(exec.execute("INSERT INTO mysql_servers (hostname) VALUES ('kept')"));
    requireOk(exec.execute("INSERT INTO mysql_users (username) VALUES ('notsaved')"));
    requireOk(exec.execute("SAVE MYSQL SERVERS TO DISK"));
  }
  ConfigStore store = openStore(dir.path());
  AdminExecutor exec(store, AdminHooks{});
  CHECK(scalar(exec, "SELECT hostname FROM mysql_servers") == "kept");
  CHECK(scalar(exec, "SELECT COUNT(*) FROM mysql_users") == "0");
  REQUIRE(exec.loadAllToRuntime().isOk());
  CHECK(exec.runtime()->servers.size() == 1);
}

TEST_CASE("a failing SAVE TO DISK leaves the previous disk content", "[layers]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostname) VALUES ('old')");
  f.ok("SAVE MYSQL SERVERS TO DISK");
  f.ok("DELETE FROM mysql_servers");
  f.ok("INSERT INTO mysql_servers (hostname) VALUES ('new')");
  // A trigger makes the copy fail half-way, after the DELETE on disk already ran.
  f.ok(
      "CREATE TRIGGER disk.fail_insert BEFORE INSERT ON mysql_servers "
      "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  Failure fail = requireFailure(f.run("SAVE MYSQL SERVERS TO DISK"));
  CHECK(fail.message.find("disk full") != std::string::npos);
  CHECK(scalar(f.exec, "SELECT group_concat(hostname) FROM disk.mysql_servers") == "old");
}

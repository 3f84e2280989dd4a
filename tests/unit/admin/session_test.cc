// SHOW commands, the mysql client's start-up queries, PROXYSQL commands, stats and garbage.

#include <catch2/catch.hpp>

#include "admin_test_util.h"
#include "rwproxy/version.h"

using namespace rwproxy::admin;
using namespace rwproxy::admin::test;

TEST_CASE("the mysql client's start-up queries", "[session]") {
  Fixture f;
  ResultSet rs = requireRows(f.run("select @@version_comment limit 1"));
  REQUIRE(rs.columns == std::vector<std::string>{"@@version_comment"});
  CHECK(rs.rows.at(0).at(0) == std::string("rwproxy admin ") + rwproxy::kVersion);
  CHECK(scalar(f.exec, "SELECT @@version") == rwproxy::kVersion);
  CHECK(scalar(f.exec, "SELECT DATABASE()") == "main");
  CHECK(scalar(f.exec, "SELECT USER()") == "admin@localhost");
  CHECK(scalar(f.exec, "SELECT CURRENT_USER()") == "admin@localhost");
  CHECK(scalar(f.exec, "SELECT @@session.auto_increment_increment") == "1");
  CHECK(scalar(f.exec, "SELECT @@no_such_thing") == std::nullopt);
  rs =
      requireRows(f.run("SELECT @@session.auto_increment_increment AS auto_increment_increment, "
                        "@@character_set_client AS character_set_client, @@sql_mode"));
  CHECK(rs.columns ==
        std::vector<std::string>{"auto_increment_increment", "character_set_client", "@@sql_mode"});
  CHECK(rs.rows.at(0).at(1) == "utf8mb4");
  for (const char* sql : {"SET NAMES utf8mb4", "SET autocommit=1", "SET SESSION sql_mode=''",
                          "SET character_set_results = NULL", "set @@session.wait_timeout=10"}) {
    INFO(sql);
    f.ok(sql);
  }
  // Ordinary SELECTs still reach SQLite.
  CHECK(scalar(f.exec, "SELECT 1 + 1") == "2");
}

TEST_CASE("SHOW DATABASES lists main, disk, stats, monitor", "[session]") {
  Fixture f;
  for (const char* sql : {"SHOW DATABASES", "show schemas;"}) {
    ResultSet rs = requireRows(f.run(sql));
    CHECK(rs.columns == std::vector<std::string>{"seq", "name", "file"});
    std::vector<std::string> names;
    for (const auto& row : rs.rows) names.push_back(row[1].value_or(""));
    CHECK(names == std::vector<std::string>{"main", "disk", "stats", "monitor"});
    CHECK(rs.rows[1][2].value_or("").find("rwproxy.db") != std::string::npos);
  }
}

TEST_CASE("SHOW TABLES with FROM and LIKE", "[session]") {
  Fixture f;
  ResultSet rs = requireRows(f.run("SHOW TABLES"));
  REQUIRE(rs.columns == std::vector<std::string>{"tables"});
  std::vector<std::string> names;
  for (const auto& row : rs.rows) names.push_back(*row[0]);
  for (const char* t :
       {"global_variables", "mysql_query_rules", "mysql_replication_hostgroups", "mysql_servers",
        "mysql_users", "runtime_global_variables", "runtime_mysql_query_rules",
        "runtime_mysql_replication_hostgroups", "runtime_mysql_servers", "runtime_mysql_users"}) {
    CHECK(std::find(names.begin(), names.end(), t) != names.end());
  }
  rs = requireRows(f.run("SHOW TABLES FROM stats LIKE 'stats_mysql_query%'"));
  REQUIRE(rs.rows.size() == 4);  // digest, digest_latency, digest_reset, rules
  CHECK(rs.rows[0][0] == "stats_mysql_query_digest");
  rs = requireRows(f.run("show tables in monitor"));
  CHECK(rs.rows.size() == 4);
  rs = requireRows(f.run("SHOW TABLES FROM disk"));
  CHECK(rs.rows.size() == 5);
  CHECK(requireFailure(f.run("SHOW TABLES FROM nowhere")).code == 1049);
  CHECK(requireFailure(f.run("SHOW TABLES FROM")).code == 1064);
}

TEST_CASE("SHOW CREATE TABLE", "[session]") {
  Fixture f;
  ResultSet rs = requireRows(f.run("SHOW CREATE TABLE mysql_servers"));
  CHECK(rs.columns == std::vector<std::string>{"Table", "Create Table"});
  CHECK(rs.rows.at(0).at(0) == "mysql_servers");
  std::string ddl = *rs.rows[0][1];
  CHECK(ddl.starts_with("CREATE TABLE mysql_servers"));
  CHECK(ddl.find("DEFAULT 3306") != std::string::npos);
  rs = requireRows(f.run("SHOW CREATE TABLE `stats_mysql_global`"));
  CHECK(rs.rows.at(0).at(0) == "stats_mysql_global");
  rs = requireRows(f.run("SHOW CREATE TABLE disk.mysql_users"));
  CHECK(rs.rows.at(0).at(0) == "mysql_users");
  Failure fail = requireFailure(f.run("SHOW CREATE TABLE nope"));
  CHECK(fail.code == 1146);
}

TEST_CASE("SHOW variables, servers, users, processlist, status", "[session]") {
  Fixture f;
  ResultSet rs = requireRows(f.run("SHOW VARIABLES"));
  CHECK(rs.columns == std::vector<std::string>{"Variable_name", "Value"});
  size_t all = rs.rows.size();
  size_t mysql = requireRows(f.run("SHOW MYSQL VARIABLES")).rows.size();
  size_t admin = requireRows(f.run("SHOW ADMIN VARIABLES")).rows.size();
  CHECK(mysql + admin == all);
  CHECK(admin == 6);
  rs = requireRows(f.run("SHOW GLOBAL VARIABLES LIKE 'mysql-max_conn%'"));
  REQUIRE(rs.rows.size() == 1);
  CHECK(rs.rows[0] == Row{"mysql-max_connections", "10000"});
  f.ok("INSERT INTO mysql_servers (hostname) VALUES ('db1')");
  CHECK(requireRows(f.run("SHOW MYSQL SERVERS")).rows.size() == 1);
  CHECK(requireRows(f.run("SHOW MYSQL USERS")).rows.empty());
  rs = requireRows(f.run("SHOW PROCESSLIST"));
  CHECK(rs.columns.at(0) == "SessionID");
  requireRows(f.run("SHOW FULL PROCESSLIST"));
  requireRows(f.run("SHOW MYSQL STATUS"));
}

TEST_CASE("the stats provider refreshes the tables a statement reads", "[session]") {
  TempDir dir;
  ConfigStore store = openStore(dir.path());
  std::vector<std::string> asked;
  AdminHooks hooks;
  hooks.statsProvider = [&](StatsSink& sink) {
    for (const auto& t : sink.wantedTables()) asked.push_back(t);
    if (sink.wants("stats_mysql_global")) {
      REQUIRE(
          sink.replaceRows("stats_mysql_global", {{"Questions", "42"}, {"Uptime", "7"}}).isOk());
    }
    if (sink.wants("stats_mysql_processlist")) {
      Row r(17, std::nullopt);  // ProxySQL's 16 columns and pin_reason
      r[0] = "1";
      r[1] = "10";
      r[12] = "5";
      r[13] = "SELECT 1";
      REQUIRE(sink.replaceRows("stats_mysql_processlist", {r}).isOk());
    }
    CHECK_FALSE(sink.replaceRows("mysql_servers", {}).isOk());
    if (sink.wants("mysql_server_ping_log")) {
      REQUIRE(sink.replaceRows("mysql_server_ping_log", {{"db1", "3306", "1", "120", std::nullopt}})
                  .isOk());
    }
  };
  AdminExecutor exec(store, hooks);
  CHECK(scalar(exec,
               "SELECT Variable_Value FROM stats.stats_mysql_global "
               "WHERE Variable_Name='Questions'") == "42");
  CHECK(asked == std::vector<std::string>{"stats_mysql_global"});
  asked.clear();
  ResultSet rs = requireRows(exec.execute("SHOW PROCESSLIST"));
  REQUIRE(rs.rows.size() == 1);
  CHECK(rs.rows[0][0] == "10");
  CHECK(asked == std::vector<std::string>{"stats_mysql_processlist"});
  asked.clear();
  requireRows(exec.execute("SELECT * FROM stats_mysql_query_digest_reset"));
  CHECK(asked == std::vector<std::string>{"stats_mysql_query_digest_reset"});
  asked.clear();
  requireRows(exec.execute("SELECT * FROM mysql_servers"));
  CHECK(asked.empty());
  requireRows(exec.execute("SELECT * FROM monitor.mysql_server_ping_log"));
  CHECK(asked == std::vector<std::string>{"mysql_server_ping_log"});
  CHECK(scalar(exec, "SELECT ping_success_time_us FROM mysql_server_ping_log") == "120");
}

TEST_CASE("PROXYSQL commands call their hooks", "[session]") {
  TempDir dir;
  ConfigStore store = openStore(dir.path());
  int flushes = 0;
  int shutdowns = 0;
  AdminHooks hooks;
  hooks.flushQueryCache = [&] { ++flushes; };
  hooks.shutdown = [&] { ++shutdowns; };
  AdminExecutor exec(store, hooks);
  requireOk(exec.execute("PROXYSQL FLUSH QUERY CACHE"));
  requireOk(exec.execute("proxysql shutdown;"));
  requireOk(exec.execute("PROXYSQL SHUTDOWN SLOW"));
  CHECK(flushes == 1);
  CHECK(shutdowns == 2);
}

TEST_CASE("garbage statements fail and change nothing", "[session]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostname) VALUES ('db1')");
  const char* garbage[] = {
      "",
      ";",
      "LOAD MYSQL SERVERS TO NOWHERE",
      "SAVE EVERYTHING",
      "LOAD MYSQL SERVERS",
      "PROXYSQL MAKE COFFEE",
      "SHOW ME THE MONEY",
      "DELETE FROM",
      "\x01\x02\xff\xfe",
      "SELECT * FROM no_such_table",
      "DELETE FROM mysql_servers; DELETE FROM mysql_users",
      "SET mysql-threads",
  };
  for (const char* sql : garbage) {
    INFO(sql);
    requireFailure(f.run(sql));
  }
  CHECK(scalar(f.exec, "SELECT COUNT(*) FROM mysql_servers") == "1");
  CHECK(f.published.empty());
  CHECK(requireFailure(f.run("LOAD MYSQL SERVERS TO NOWHERE")).code == 1064);
}

TEST_CASE("SQL statements return rows or affected counts", "[session]") {
  Fixture f;
  Ok ok = requireOk(f.run("INSERT INTO mysql_servers (hostname) VALUES ('a'), ('b');"));
  CHECK(ok.affectedRows == 2);
  ok = requireOk(f.run("UPDATE mysql_servers SET weight = 5"));
  CHECK(ok.affectedRows == 2);
  ResultSet rs = requireRows(f.run("SELECT hostname, NULL FROM mysql_servers WHERE 0"));
  CHECK(rs.columns.size() == 2);
  CHECK(rs.rows.empty());
  rs = requireRows(f.run("SELECT hostname, NULL AS n FROM mysql_servers ORDER BY hostname"));
  CHECK(rs.rows.at(1) == Row{"b", std::nullopt});
}

// Defaults, CHECK constraints, and LOAD ... TO RUNTIME keeping the old runtime on bad input.

#include <catch2/catch.hpp>

#include "admin_test_util.h"

using namespace rwproxy::admin;
using namespace rwproxy::admin::test;

TEST_CASE("inserts get ProxySQL's defaults", "[validation]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostgroup_id, hostname) VALUES (2, 'db1')");
  ResultSet rs = requireRows(f.run(
      "SELECT port, gtid_port, status, weight, compression, max_connections, max_replication_lag, "
      "use_ssl, max_latency_ms, comment FROM mysql_servers"));
  REQUIRE(rs.rows.size() == 1);
  Row expected = {"3306", "0", "ONLINE", "1", "0", "1000", "0", "0", "0", ""};
  CHECK(rs.rows[0] == expected);

  f.ok("INSERT INTO mysql_users (username, password) VALUES ('app', 'pw')");
  rs =
      requireRows(f.run("SELECT active, use_ssl, default_hostgroup, default_schema, schema_locked, "
                        "transaction_persistent, fast_forward, backend, frontend, max_connections, "
                        "attributes, comment FROM mysql_users"));
  expected = {"1", "0", "0", std::nullopt, "0", "1", "0", "1", "1", "10000", "", ""};
  CHECK(rs.rows[0] == expected);

  f.ok("INSERT INTO mysql_query_rules (match_digest) VALUES ('^SELECT')");
  rs = requireRows(f.run(
      "SELECT rule_id, active, flagIN, negate_match_pattern, re_modifiers, apply, attributes, "
      "destination_hostgroup FROM mysql_query_rules"));
  expected = {"1", "0", "0", "0", "CASELESS", "0", "", std::nullopt};
  CHECK(rs.rows[0] == expected);

  f.ok(
      "INSERT INTO mysql_replication_hostgroups (writer_hostgroup, reader_hostgroup) "
      "VALUES (0, 1)");
  CHECK(scalar(f.exec, "SELECT check_type || '|' || comment FROM mysql_replication_hostgroups") ==
        "read_only|");
}

TEST_CASE("CHECK constraints reject bad rows with SQLite's message", "[validation]") {
  Fixture f;
  const char* bad[] = {
      "INSERT INTO mysql_servers (hostgroup_id, hostname) VALUES (-1, 'x')",
      "INSERT INTO mysql_servers (hostname, port) VALUES ('x', 65536)",
      "INSERT INTO mysql_servers (hostname, status) VALUES ('x', 'BROKEN')",
      "INSERT INTO mysql_servers (hostname, port, gtid_port) VALUES ('x', 3306, 3306)",
      "INSERT INTO mysql_servers (hostname, weight) VALUES ('x', 10000001)",
      "INSERT INTO mysql_users (username, active) VALUES ('u', 2)",
      "INSERT INTO mysql_users (username, attributes) VALUES ('u', '{not json')",
      "INSERT INTO mysql_query_rules (rule_id, multiplex) VALUES (1, 3)",
      "INSERT INTO mysql_query_rules (rule_id, replace_pattern) VALUES (1, 'x')",
      "INSERT INTO mysql_query_rules (rule_id, cache_ttl) VALUES (1, 0)",
      "INSERT INTO mysql_query_rules (rule_id, retries) VALUES (1, 1001)",
      "INSERT INTO mysql_replication_hostgroups (writer_hostgroup, reader_hostgroup) "
      "VALUES (1, 1)",
      "INSERT INTO mysql_replication_hostgroups (writer_hostgroup, reader_hostgroup, check_type) "
      "VALUES (1, 2, 'magic')",
  };
  for (const char* sql : bad) {
    INFO(sql);
    Failure fail = requireFailure(f.run(sql));
    CHECK(fail.message.find("CHECK constraint failed") != std::string::npos);
    CHECK(fail.code == 1105);
    CHECK(fail.sqlState == "HY000");
  }
  f.ok("INSERT INTO mysql_users (username, frontend, backend) VALUES ('u', 1, 1)");
  Failure dup = requireFailure(
      f.run("INSERT INTO mysql_users (username, frontend, backend) VALUES ('u', 1, 0)"));
  CHECK(dup.message.find("UNIQUE constraint failed") != std::string::npos);
  CHECK(scalar(f.exec, "SELECT COUNT(*) FROM mysql_servers") == "0");
}

TEST_CASE("an invalid row keeps the old runtime and names the row and column", "[validation]") {
  Fixture f;
  f.ok("INSERT INTO mysql_servers (hostgroup_id, hostname) VALUES (1, 'good')");
  f.ok("LOAD MYSQL SERVERS TO RUNTIME");
  auto before = f.exec.runtime();
  // SQLite's typing lets text through "max_connections >= 0"; validation catches it.
  f.ok(
      "INSERT INTO mysql_servers (hostgroup_id, hostname, max_connections) "
      "VALUES (1, 'bad', 'lots')");
  Failure fail = requireFailure(f.run("LOAD MYSQL SERVERS TO RUNTIME"));
  CHECK(fail.message.find("mysql_servers") != std::string::npos);
  CHECK(fail.message.find("hostname='bad'") != std::string::npos);
  CHECK(fail.message.find("column max_connections") != std::string::npos);
  CHECK(fail.message.find("'lots'") != std::string::npos);
  CHECK(f.exec.runtime() == before);
  CHECK(f.published.size() == 1);
  CHECK(scalar(f.exec, "SELECT group_concat(hostname) FROM runtime_mysql_servers") == "good");
}

TEST_CASE("user validation: password format and duplicate frontends", "[validation]") {
  Fixture f;
  f.ok(
      "INSERT INTO mysql_users (username, password) VALUES ('hashed', "
      "'*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19')");
  f.ok("INSERT INTO mysql_users (username, password) VALUES ('plain', 'secret')");
  f.ok("LOAD MYSQL USERS TO RUNTIME");
  CHECK(f.exec.runtime()->findFrontendUser("hashed") != nullptr);
  f.ok("INSERT INTO mysql_users (username, password) VALUES ('broken', '*XYZ')");
  Failure fail = requireFailure(f.run("LOAD MYSQL USERS TO RUNTIME"));
  CHECK(fail.message.find("username='broken'") != std::string::npos);
  CHECK(fail.message.find("column password") != std::string::npos);
  CHECK(f.exec.runtime()->users.size() == 2);
}

TEST_CASE("a bad variable set through UPDATE is caught at LOAD", "[validation]") {
  Fixture f;
  f.ok("UPDATE global_variables SET variable_value='many' WHERE variable_name='mysql-threads'");
  Failure fail = requireFailure(f.run("LOAD MYSQL VARIABLES TO RUNTIME"));
  CHECK(fail.message.find("mysql-threads") != std::string::npos);
  CHECK(fail.message.find("many") != std::string::npos);
  CHECK(f.published.empty());
  f.ok("UPDATE global_variables SET variable_value='4' WHERE variable_name='mysql-threads'");
  f.ok("LOAD MYSQL VARIABLES TO RUNTIME");
  CHECK(f.exec.runtime()->mysql.threads == 4);
  f.ok("INSERT INTO global_variables VALUES ('mysql-bogus', '1')");
  fail = requireFailure(f.run("LOAD MYSQL VARIABLES TO RUNTIME"));
  CHECK(fail.message.find("mysql-bogus") != std::string::npos);
  CHECK(fail.message.find("unknown variable") != std::string::npos);
}

TEST_CASE("SET rejects unknown variables and invalid values, changing nothing", "[validation]") {
  Fixture f;
  Failure unknown = requireFailure(f.run("SET mysql-no_such_variable = 1"));
  CHECK(unknown.code == kErUnknownSystemVariable);
  CHECK(unknown.message.find("mysql-no_such_variable") != std::string::npos);
  Failure badValue = requireFailure(f.run("SET mysql-max_connections='lots'"));
  CHECK(badValue.code == kErWrongValueForVar);
  CHECK(badValue.message.find("mysql-max_connections") != std::string::npos);
  CHECK(scalar(f.exec,
               "SELECT variable_value FROM global_variables "
               "WHERE variable_name='mysql-max_connections'") == "10000");
  CHECK(requireFailure(f.run("SET admin-version = '9'")).message.find("read only") !=
        std::string::npos);
  CHECK(scalar(f.exec,
               "SELECT COUNT(*) FROM global_variables "
               "WHERE variable_name='mysql-no_such_variable'") == "0");
}

TEST_CASE("SET accepts ProxySQL's forms", "[validation]") {
  Fixture f;
  f.ok("SET mysql-multiplexing=false");
  f.ok("set MYSQL-MONITOR_USERNAME = \"mon\"");
  f.ok("SET mysql-monitor_password='it''s'");
  f.ok("SET mysql-eventslog_filename=''");
  f.ok("LOAD MYSQL VARIABLES TO RUNTIME");
  CHECK_FALSE(f.exec.runtime()->mysql.multiplexing);
  CHECK(f.exec.runtime()->mysql.monitorUsername == "mon");
  CHECK(f.exec.runtime()->mysql.monitorPassword == "it's");
}

TEST_CASE("the rules validation hook can reject a LOAD", "[validation]") {
  TempDir dir;
  ConfigStore store = openStore(dir.path());
  int calls = 0;
  AdminHooks hooks;
  hooks.validateRules = [&](const rwproxy::config::Runtime& r) -> std::optional<Failure> {
    ++calls;
    for (const auto& rule : r.queryRules) {
      if (rule.matchDigest == "(") {
        return makeFailure("mysql_query_rules row (rule_id=" + std::to_string(rule.ruleId) +
                           "): column match_digest: missing )");
      }
    }
    return std::nullopt;
  };
  AdminExecutor exec(store, hooks);
  requireOk(exec.execute("INSERT INTO mysql_query_rules (rule_id, match_digest) VALUES (1, '^S')"));
  requireOk(exec.execute("LOAD MYSQL QUERY RULES TO RUNTIME"));
  requireOk(exec.execute("INSERT INTO mysql_query_rules (rule_id, match_digest) VALUES (2, '(')"));
  Failure fail = requireFailure(exec.execute("LOAD MYSQL QUERY RULES TO RUNTIME"));
  CHECK(fail.message.find("rule_id=2") != std::string::npos);
  CHECK(exec.runtime()->queryRules.size() == 1);
  CHECK(calls == 2);
}

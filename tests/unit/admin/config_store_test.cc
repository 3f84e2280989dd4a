#include "admin/config_store.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "admin_test_util.h"

using namespace rwproxy::admin;
using namespace rwproxy::admin::test;

namespace {

const char* kConfig =
    "# A config script: comments, blank lines, multi-line statements.\n"
    "\n"
    "INSERT INTO mysql_servers (hostgroup_id, hostname, port)\n"
    "  VALUES (0, 'writer', 3306),\n"
    "         (1, 'reader', 3307);  -- two servers\n"
    "INSERT INTO mysql_users (username, password, default_hostgroup)\n"
    "  VALUES ('app', 'secret', 0);\n"
    "/* rules */\n"
    "INSERT INTO mysql_query_rules (rule_id, active, match_digest, destination_hostgroup, apply)\n"
    "  VALUES (1, 1, '^SELECT', 1, 1);\n"
    "SET mysql-threads=2;\n"
    "SET mysql-max_connections = '500';\n"
    "UPDATE global_variables SET variable_value='ops:pw;admin:admin'\n"
    "  WHERE variable_name='admin-admin_credentials';\n"
    "LOAD MYSQL SERVERS TO RUNTIME;\n"
    "SAVE MYSQL SERVERS TO DISK;\n";

std::string value(ConfigStore& store, const std::string& sql) {
  auto rs = store.db().query(sql);
  REQUIRE(rs.isOk());
  REQUIRE(rs->rows.size() == 1);
  return rs->rows[0][0].value_or("NULL");
}

}  // namespace

TEST_CASE("a fresh datadir gets defaults and a new rwproxy.db", "[config_store]") {
  TempDir dir;
  ConfigStore store = openStore(dir.file("sub/dir"));  // created if missing
  CHECK(std::filesystem::exists(dir.file("sub/dir/rwproxy.db")));
  CHECK(value(store,
              "SELECT variable_value FROM global_variables "
              "WHERE variable_name='mysql-max_connections'") == "10000");
  CHECK(value(store,
              "SELECT variable_value FROM disk.global_variables "
              "WHERE variable_name='admin-admin_credentials'") == "admin:admin");
  CHECK(value(store, "SELECT COUNT(*) FROM mysql_servers") == "0");
}

TEST_CASE("the config file is applied to memory and saved to disk", "[config_store]") {
  TempDir dir;
  writeFile(dir.file("rwproxy.cnf"), kConfig);
  ConfigStore store = openStore(dir.path(), dir.file("rwproxy.cnf"));
  CHECK(value(store, "SELECT COUNT(*) FROM main.mysql_servers") == "2");
  CHECK(value(store, "SELECT COUNT(*) FROM disk.mysql_servers") == "2");
  CHECK(value(store, "SELECT COUNT(*) FROM disk.mysql_users") == "1");
  CHECK(value(store, "SELECT COUNT(*) FROM disk.mysql_query_rules") == "1");
  CHECK(value(store,
              "SELECT variable_value FROM disk.global_variables "
              "WHERE variable_name='mysql-threads'") == "2");
  CHECK(value(store,
              "SELECT variable_value FROM disk.global_variables "
              "WHERE variable_name='mysql-max_connections'") == "500");
  CHECK(value(store, "SELECT port FROM mysql_servers WHERE hostname='reader'") == "3307");
}

TEST_CASE("restart keeps the disk config and does not re-apply the file", "[config_store]") {
  TempDir dir;
  writeFile(dir.file("rwproxy.cnf"), kConfig);
  {
    ConfigStore store = openStore(dir.path(), dir.file("rwproxy.cnf"));
    AdminExecutor exec(store, AdminHooks{});
    requireOk(exec.execute("DELETE FROM mysql_servers WHERE hostname='reader'"));
    requireOk(exec.execute("SAVE MYSQL SERVERS TO DISK"));
  }
  {
    // Re-applying the file would fail (duplicate keys) or bring 'reader' back.
    ConfigStore store = openStore(dir.path(), dir.file("rwproxy.cnf"));
    CHECK(value(store, "SELECT COUNT(*) FROM mysql_servers") == "1");
    CHECK(value(store, "SELECT COUNT(*) FROM mysql_users") == "1");
    CHECK(value(store,
                "SELECT variable_value FROM global_variables "
                "WHERE variable_name='mysql-threads'") == "2");
  }
  {
    ConfigStore store = openStore(dir.path(), dir.file("rwproxy.cnf"), /*initial=*/true);
    CHECK(value(store, "SELECT COUNT(*) FROM mysql_servers") == "2");
    CHECK(value(store, "SELECT COUNT(*) FROM disk.mysql_servers") == "2");
  }
}

TEST_CASE("a failing config statement names file, line and statement", "[config_store]") {
  TempDir dir;
  writeFile(dir.file("bad.cnf"),
            "INSERT INTO mysql_servers (hostname) VALUES ('a');\n\n"
            "INSERT INTO mysql_servers (hostname, port) VALUES ('b', 70000);\n");
  auto store = ConfigStore::open(dir.path(), dir.file("bad.cnf"), false);
  REQUIRE_FALSE(store.isOk());
  const std::string& msg = store.failure().message;
  CHECK(msg.find(dir.file("bad.cnf")) != std::string::npos);
  CHECK(msg.find("line 3") != std::string::npos);
  CHECK(msg.find("70000") != std::string::npos);
  CHECK(msg.find("CHECK constraint failed") != std::string::npos);
  // No half-configured database is left behind: the next start applies the file again.
  CHECK_FALSE(std::filesystem::exists(dir.file("rwproxy.db")));
  CHECK_FALSE(std::filesystem::exists(dir.file("rwproxy.db.new")));
}

TEST_CASE("admin commands in the config file that fail stop the start", "[config_store]") {
  TempDir dir;
  writeFile(dir.file("bad.cnf"), "SET mysql-no_such_thing = 1;\n");
  auto store = ConfigStore::open(dir.path(), dir.file("bad.cnf"), false);
  REQUIRE_FALSE(store.isOk());
  CHECK(store.failure().message.find("mysql-no_such_thing") != std::string::npos);
  writeFile(dir.file("bad2.cnf"), "LOAD MYSQL SERVERS TO NOWHERE;\n");
  CHECK_FALSE(ConfigStore::open(dir.path(), dir.file("bad2.cnf"), false).isOk());
}

TEST_CASE("an unreadable config file is an error", "[config_store]") {
  TempDir dir;
  auto store = ConfigStore::open(dir.path(), dir.file("missing.cnf"), false);
  REQUIRE_FALSE(store.isOk());
  CHECK(store.failure().message.find("missing.cnf") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("rwproxy.db")));
}

TEST_CASE("a corrupt rwproxy.db is an error, never a silent reset", "[config_store]") {
  TempDir dir;
  std::string garbage(8192, '\0');
  std::mt19937 rng(42);
  for (char& c : garbage) c = static_cast<char>(rng());
  writeFile(dir.file("rwproxy.db"), garbage);
  auto store = ConfigStore::open(dir.path(), "", false);
  REQUIRE_FALSE(store.isOk());
  CHECK(store.failure().message.find(dir.file("rwproxy.db")) != std::string::npos);
  CHECK(store.failure().message.find("not a database") != std::string::npos);
  // The file is untouched.
  std::ifstream in(dir.file("rwproxy.db"), std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(after == garbage);
}

TEST_CASE("variables added by a newer version get their defaults on load", "[config_store]") {
  TempDir dir;
  {
    ConfigStore store = openStore(dir.path());
    REQUIRE(store.db()
                .exec("DELETE FROM disk.global_variables WHERE variable_name='mysql-multiplexing'")
                .isOk());
  }
  ConfigStore store = openStore(dir.path());
  CHECK(value(store,
              "SELECT variable_value FROM global_variables "
              "WHERE variable_name='mysql-multiplexing'") == "true");
}

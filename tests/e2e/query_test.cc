// Queries through the app port: every command a client sends, large packets, session commands.
#include <catch2/catch.hpp>

#include <random>
#include <string>

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
                        "INSERT INTO mysql_users (username, password, default_hostgroup, "
                        "fast_forward) VALUES ('ffuser', 'ff_pw', 10, 1);\n";
    REQUIRE(p.start(options));
  }
  return p;
}

void connectProxy(MysqlClient& c, const std::string& db = "", bool multi = false) {
  const auto& env = ClusterEnv::get();
  ConnectOptions o;
  o.port = proxy().appPort();
  o.user = env.value("APP_USER");
  o.password = env.value("APP_PASSWORD");
  o.database = db;
  o.multiStatements = multi;
  REQUIRE(c.connect(o));
}

}  // namespace

TEST_CASE("queries, errors and the server's own answers pass through") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  CHECK(c.scalar("SELECT DATABASE()") == "rwtest");
  auto rs = c.query("SELECT 1 AS a, 'two' AS b, NULL AS c UNION ALL SELECT 3, 'four', 5");
  REQUIRE(rs);
  CHECK(rs->columns == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(rs->rows.size() == 2);
  CHECK_FALSE(rs->rows[0][2].has_value());
  CHECK(*rs->rows[1][1] == "four");
  CHECK_FALSE(c.query("SELECT * FROM no_such_table"));
  CHECK(c.errorCode() == 1146);
  CHECK_FALSE(c.query("SELEKT 1"));
  CHECK(c.errorCode() == 1064);
  CHECK(c.scalar("SELECT 'still fine'") == "still fine");  // an error does not break the session
}

TEST_CASE("USE and COM_INIT_DB change the schema, also across pooled connections") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  c.exec("USE rwtest2");
  CHECK(c.scalar("SELECT DATABASE()") == "rwtest2");
  REQUIRE(mysql_select_db(c.handle(), "rwtest") == 0);
  CHECK(c.scalar("SELECT DATABASE()") == "rwtest");
  CHECK(mysql_select_db(c.handle(), "no_such_db") != 0);
  CHECK(
      (mysql_errno(c.handle()) == 1049 || mysql_errno(c.handle()) == 1044));  // the server decides
  CHECK(c.scalar("SELECT DATABASE()") == "rwtest");
  // Another client on another schema, interleaved: each sees its own.
  MysqlClient d;
  connectProxy(d, "rwtest2");
  for (int i = 0; i < 20; ++i) {
    CHECK(c.scalar("SELECT DATABASE()") == "rwtest");
    CHECK(d.scalar("SELECT DATABASE()") == "rwtest2");
  }
}

TEST_CASE("multi-statements return every result set") {
  MysqlClient c;
  connectProxy(c, "rwtest", /*multi=*/true);
  auto all = c.queryAll("SELECT 1; SELECT 2, 3; DO 0; SELECT 'x'");
  REQUIRE(all);
  REQUIRE(all->size() == 4);
  CHECK(*(*all)[0].rows[0][0] == "1");
  CHECK(*(*all)[1].rows[0][1] == "3");
  CHECK((*all)[2].columns.empty());
  CHECK(*(*all)[3].rows[0][0] == "x");
  CHECK(c.scalar("SELECT 'after'") == "after");
}

TEST_CASE("a 20 MiB query and a 20 MiB row round-trip byte-exact") {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE TABLE IF NOT EXISTS rwtest.big (id INT PRIMARY KEY, b LONGBLOB)");
  root.exec("DELETE FROM rwtest.big");
  std::mt19937 rng(1234);
  std::string blob(20 * 1024 * 1024 + 17, '\0');
  for (auto& ch : blob) {
    ch = static_cast<char>(rng());
  }
  MysqlClient c;
  connectProxy(c, "rwtest");
  std::string escaped(blob.size() * 2 + 1, '\0');
  escaped.resize(mysql_real_escape_string(c.handle(), escaped.data(), blob.data(), blob.size()));
  std::string insert = "INSERT INTO big VALUES (1, '" + escaped + "')";
  REQUIRE(insert.size() > 20u * 1024 * 1024);
  c.exec(insert);
  auto rs = c.query("SELECT b FROM big WHERE id = 1");
  REQUIRE(rs);
  REQUIRE(rs->rows.size() == 1);
  REQUIRE(rs->rows[0][0].has_value());
  CHECK(rs->rows[0][0]->size() == blob.size());
  CHECK(*rs->rows[0][0] == blob);
  CHECK(c.scalar("SELECT LENGTH(REPEAT('z', 20000000))") == "20000000");
}

TEST_CASE("COM_PING, COM_STATISTICS, COM_FIELD_LIST") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  CHECK(mysql_ping(c.handle()) == 0);
  const char* stat = mysql_stat(c.handle());
  REQUIRE(stat != nullptr);
  CHECK(std::string(stat).find("Uptime") != std::string::npos);
  MYSQL_RES* fields = mysql_list_fields(c.handle(), "t", nullptr);
  REQUIRE(fields != nullptr);
  CHECK(mysql_num_fields(fields) == 2);
  mysql_free_result(fields);
  CHECK(c.scalar("SELECT 7") == "7");
}

TEST_CASE("change_user and reset_connection") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  c.exec("SET @kept = 5");
  CHECK(c.scalar("SELECT @kept") == "5");  // a user variable pins the connection: still there
  REQUIRE(mysql_reset_connection(c.handle()) == 0);
  auto reset = c.query("SELECT @kept");
  REQUIRE(reset);
  CHECK_FALSE(reset->rows[0][0].has_value());
  const auto& env = ClusterEnv::get();
  REQUIRE(mysql_change_user(c.handle(), env.value("APP_USER").c_str(),
                            env.value("APP_PASSWORD").c_str(), "rwtest2") == 0);
  CHECK(c.scalar("SELECT DATABASE()") == "rwtest2");
  CHECK(mysql_change_user(c.handle(), env.value("APP_USER").c_str(), "wrong", nullptr) != 0);
  CHECK(mysql_errno(c.handle()) == 1045);
}

TEST_CASE("transactions keep their connection and see their own writes") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  c.exec("CREATE TABLE IF NOT EXISTS tx (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  c.exec("DELETE FROM tx");
  c.exec("BEGIN");
  c.exec("INSERT INTO tx VALUES (1, 10)");
  MysqlClient other;
  connectProxy(other, "rwtest");
  CHECK(other.scalar("SELECT COUNT(*) FROM tx") == "0");  // not committed yet
  CHECK(c.scalar("SELECT COUNT(*) FROM tx") == "1");      // same connection sees it
  c.exec("ROLLBACK");
  CHECK(c.scalar("SELECT COUNT(*) FROM tx") == "0");
  c.exec("INSERT INTO tx VALUES (2, 20)");
  CHECK(other.scalar("SELECT COUNT(*) FROM tx") == "1");
}

TEST_CASE("LAST_INSERT_ID stays correct") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  c.exec("INSERT INTO t (v) VALUES ('lid')");
  std::string id = std::to_string(mysql_insert_id(c.handle()));
  MysqlClient other;
  connectProxy(other, "rwtest");
  other.exec("INSERT INTO t (v) VALUES ('other')");
  CHECK(c.scalar("SELECT LAST_INSERT_ID()") == id);
}

TEST_CASE("KILL with a proxy session id closes that session") {
  MysqlClient victim;
  connectProxy(victim);
  unsigned long id = mysql_thread_id(victim.handle());
  MysqlClient killer;
  connectProxy(killer);
  killer.exec("KILL " + std::to_string(id));
  // The victim's next query fails: its connection is gone.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !victim.query("SELECT 1");
  }
  CHECK(gone);
  CHECK_FALSE(killer.query("KILL 4000000000"));
  CHECK(killer.errorCode() == 1094);
  CHECK(killer.scalar("SELECT 1") == "1");
}

TEST_CASE("unsupported commands get a clear error, not a hang") {
  MysqlClient c;
  connectProxy(c);
  // COM_DEBUG (0x0d) through the client library.
  CHECK(mysql_dump_debug_info(c.handle()) != 0);
  CHECK(mysql_errno(c.handle()) == 1047);
  CHECK(c.scalar("SELECT 1") == "1");
}

TEST_CASE("a fast_forward user passes straight through") {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE USER IF NOT EXISTS 'ffuser'@'%' IDENTIFIED BY 'ff_pw'");
  root.exec("GRANT ALL ON rwtest.* TO 'ffuser'@'%'");
  MysqlClient c;
  ConnectOptions o;
  o.port = proxy().appPort();
  o.user = "ffuser";
  o.password = "ff_pw";
  o.database = "rwtest";
  bool connected = c.connect(o);
  INFO(c.errorText());
  REQUIRE(connected);
  CHECK(c.scalar("SELECT CURRENT_USER()") == "ffuser@%");
  c.exec("SET @x = 42");
  CHECK(c.scalar("SELECT @x") == "42");
  CHECK(c.scalar("SELECT COUNT(*) > 0 FROM t") == "1");
}

TEST_CASE("replies the proxy makes itself carry the session's real autocommit state") {
  MysqlClient c;
  connectProxy(c, "rwtest");
  c.exec("SET autocommit = 0");
  REQUIRE(mysql_ping(c.handle()) == 0);  // answered by the proxy, not a backend
  CHECK((c.handle()->server_status & SERVER_STATUS_AUTOCOMMIT) == 0);
  c.exec("SET autocommit = 1");
  REQUIRE(mysql_ping(c.handle()) == 0);
  CHECK((c.handle()->server_status & SERVER_STATUS_AUTOCOMMIT) != 0);
}

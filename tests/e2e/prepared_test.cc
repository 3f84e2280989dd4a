// Server-side prepared statements through the proxy with libmariadb's mysql_stmt API: every
// column type round-trips, statements survive the pool handing the connection to others (they
// are prepared again, lazily, wherever they run) and the loss of every backend connection.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/private_cluster.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_client.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

const TestAccount kAccount{"psuser", "ps_pw"};

ProxyProcess& proxy() {
  static ProxyProcess p;
  if (!p.running()) {
    kAccount.create();
    MysqlClient root;
    connectRoot(root, ClusterEnv::get().writerPort());
    root.exec(
        "CREATE TABLE IF NOT EXISTS rwtest.ps_types (id INT PRIMARY KEY, ti TINYINT, si "
        "SMALLINT, mi MEDIUMINT, i INT, bi BIGINT, ubi BIGINT UNSIGNED, f FLOAT, d DOUBLE, "
        "dec_ DECIMAL(20,6), s VARCHAR(100), b BLOB, dt DATE, tm TIME, dtm DATETIME(6), n INT)");
    ProxyProcess::Options options;
    options.configSql = ProxyProcess::clusterConfig() + kAccount.usersRow(10);
    options.threads = 1;
    REQUIRE(p.start(options));
  }
  return p;
}

void connect(MysqlClient& c) { REQUIRE(c.connect(kAccount.login(proxy(), "rwtest"))); }

// A statement handle closed on scope exit.
class Stmt {
 public:
  Stmt(MysqlClient& c, const std::string& sql) : stmt_(mysql_stmt_init(c.handle())) {
    REQUIRE(stmt_ != nullptr);
    INFO(sql);
    REQUIRE(mysql_stmt_prepare(stmt_, sql.c_str(), sql.size()) == 0);
  }
  ~Stmt() { mysql_stmt_close(stmt_); }
  MYSQL_STMT* get() { return stmt_; }
  std::string error() { return mysql_stmt_error(stmt_); }

 private:
  MYSQL_STMT* stmt_;
};

// One row of ps_types in C types.
struct TypesRow {
  int32_t id = 0;
  int8_t ti = 0;
  int16_t si = 0;
  int32_t mi = 0;
  int32_t i = 0;
  int64_t bi = 0;
  uint64_t ubi = 0;
  float f = 0;
  double d = 0;
  char dec[32] = {};
  char s[101] = {};
  char b[256] = {};
  MYSQL_TIME dt{}, tm{}, dtm{};
  int32_t n = 0;
  unsigned long decLength = 0, sLength = 0, bLength = 0;
  my_bool nNull = 1;
};

TypesRow sampleRow(int32_t id) {
  TypesRow r;
  r.id = id;
  r.ti = -128;
  r.si = -32768;
  r.mi = -8388608;
  r.i = 2147483647;
  r.bi = -9223372036854775807LL;
  r.ubi = 18446744073709551615ULL;
  r.f = 1.5F;
  r.d = -2.25e100;
  std::strcpy(r.dec, "12345678901234.123456");
  r.decLength = std::strlen(r.dec);
  std::strcpy(r.s, "héllo, wörld");
  r.sLength = std::strlen(r.s);
  for (int k = 0; k < 200; ++k) {
    r.b[k] = static_cast<char>(k * 7);  // binary, with NUL bytes
  }
  r.bLength = 200;
  r.dt.year = 2026;
  r.dt.month = 11;
  r.dt.day = 22;
  r.dt.time_type = MYSQL_TIMESTAMP_DATE;
  r.tm.day = 34;  // the binary protocol carries 838 hours as days and hours
  r.tm.hour = 22;
  r.tm.minute = 59;
  r.tm.second = 58;
  r.tm.neg = 1;
  r.tm.time_type = MYSQL_TIMESTAMP_TIME;
  r.dtm.year = 1999;
  r.dtm.month = 12;
  r.dtm.day = 31;
  r.dtm.hour = 23;
  r.dtm.minute = 59;
  r.dtm.second = 59;
  r.dtm.second_part = 123456;
  r.dtm.time_type = MYSQL_TIMESTAMP_DATETIME;
  r.nNull = 1;
  return r;
}

// Binds every field of `r` (for parameters and for results alike).
std::vector<MYSQL_BIND> bindRow(TypesRow& r) {
  std::vector<MYSQL_BIND> b(16);
  std::memset(b.data(), 0, sizeof(MYSQL_BIND) * b.size());
  auto fixed = [](MYSQL_BIND& x, enum_field_types type, void* buffer, bool isUnsigned = false) {
    x.buffer_type = type;
    x.buffer = buffer;
    x.is_unsigned = isUnsigned;
  };
  fixed(b[0], MYSQL_TYPE_LONG, &r.id);
  fixed(b[1], MYSQL_TYPE_TINY, &r.ti);
  fixed(b[2], MYSQL_TYPE_SHORT, &r.si);
  fixed(b[3], MYSQL_TYPE_LONG, &r.mi);
  fixed(b[4], MYSQL_TYPE_LONG, &r.i);
  fixed(b[5], MYSQL_TYPE_LONGLONG, &r.bi);
  fixed(b[6], MYSQL_TYPE_LONGLONG, &r.ubi, true);
  fixed(b[7], MYSQL_TYPE_FLOAT, &r.f);
  fixed(b[8], MYSQL_TYPE_DOUBLE, &r.d);
  auto text = [](MYSQL_BIND& x, enum_field_types type, char* buffer, size_t capacity,
                 unsigned long* length) {
    x.buffer_type = type;
    x.buffer = buffer;
    x.buffer_length = capacity;
    x.length = length;
  };
  text(b[9], MYSQL_TYPE_NEWDECIMAL, r.dec, sizeof r.dec, &r.decLength);
  text(b[10], MYSQL_TYPE_STRING, r.s, sizeof r.s, &r.sLength);
  text(b[11], MYSQL_TYPE_BLOB, r.b, sizeof r.b, &r.bLength);
  fixed(b[12], MYSQL_TYPE_DATE, &r.dt);
  fixed(b[13], MYSQL_TYPE_TIME, &r.tm);
  fixed(b[14], MYSQL_TYPE_DATETIME, &r.dtm);
  fixed(b[15], MYSQL_TYPE_LONG, &r.n);
  b[15].is_null = &r.nNull;
  return b;
}

void insertRow(MysqlClient& c, TypesRow row) {
  Stmt insert(c, "INSERT INTO ps_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  auto binds = bindRow(row);
  REQUIRE(mysql_stmt_bind_param(insert.get(), binds.data()) == 0);
  INFO(insert.error());
  REQUIRE(mysql_stmt_execute(insert.get()) == 0);
  CHECK(mysql_stmt_affected_rows(insert.get()) == 1);
}

// Executes `select` (prepared, one parameter: the id) and reads the row back.
TypesRow selectRow(Stmt& select, int32_t id) {
  MYSQL_BIND param;
  std::memset(&param, 0, sizeof param);
  param.buffer_type = MYSQL_TYPE_LONG;
  param.buffer = &id;
  REQUIRE(mysql_stmt_bind_param(select.get(), &param) == 0);
  INFO(select.error());
  REQUIRE(mysql_stmt_execute(select.get()) == 0);
  TypesRow out;
  auto binds = bindRow(out);
  REQUIRE(mysql_stmt_bind_result(select.get(), binds.data()) == 0);
  REQUIRE(mysql_stmt_store_result(select.get()) == 0);
  REQUIRE(mysql_stmt_fetch(select.get()) == 0);
  CHECK(mysql_stmt_fetch(select.get()) == MYSQL_NO_DATA);
  mysql_stmt_free_result(select.get());
  return out;
}

void checkSame(const TypesRow& got, const TypesRow& want) {
  CHECK(got.id == want.id);
  CHECK(got.ti == want.ti);
  CHECK(got.si == want.si);
  CHECK(got.mi == want.mi);
  CHECK(got.i == want.i);
  CHECK(got.bi == want.bi);
  CHECK(got.ubi == want.ubi);
  CHECK(got.f == want.f);
  CHECK(got.d == want.d);
  CHECK(std::string(got.dec, got.decLength) == std::string(want.dec, want.decLength));
  CHECK(std::string(got.s, got.sLength) == std::string(want.s, want.sLength));
  CHECK(std::string(got.b, got.bLength) == std::string(want.b, want.bLength));
  CHECK((got.dt.year == 2026 && got.dt.month == 11 && got.dt.day == 22));
  INFO("time " << got.tm.day << " " << got.tm.hour << ":" << got.tm.minute << ":" << got.tm.second
               << " neg " << got.tm.neg);
  CHECK((got.tm.hour == 838 && got.tm.minute == 59 && got.tm.second == 58 && got.tm.neg == 1));
  CHECK((got.dtm.year == 1999 && got.dtm.second == 59 && got.dtm.second_part == 123456));
  CHECK(got.nNull == 1);
}

const char* const kSelect =
    "SELECT id, ti, si, mi, i, bi, ubi, f, d, dec_, s, b, dt, tm, dtm, n FROM ps_types WHERE "
    "id = ?";

}  // namespace

TEST_CASE("every column type round-trips through prepared statements") {
  MysqlClient c;
  connect(c);
  c.exec("DELETE FROM ps_types WHERE id = 1");
  TypesRow want = sampleRow(1);
  insertRow(c, want);
  Stmt select(c, kSelect);
  checkSame(selectRow(select, 1), want);
  // Again on the same handle: the client sends the parameter types only once.
  checkSame(selectRow(select, 1), want);
}

TEST_CASE("statements run on connections that never saw them, and after they were all lost") {
  MysqlClient a;
  connect(a);
  a.exec("DELETE FROM ps_types WHERE id = 2");
  TypesRow want = sampleRow(2);
  insertRow(a, want);
  Stmt select(a, kSelect);
  checkSame(selectRow(select, 2), want);

  // Another client holds the pooled connection in a transaction: a's next execute runs on a
  // new connection, where the proxy prepares the statement first.
  MysqlClient b;
  connect(b);
  b.exec("BEGIN");
  b.exec("SELECT 1");
  Stmt sameText(b, kSelect);  // answered from the registry, no server needed
  checkSame(selectRow(sameText, 2), want);
  checkSame(selectRow(select, 2), want);
  b.exec("COMMIT");

  // Every backend connection of this user goes away (as in a server restart): the statements
  // are prepared again wherever the next execute runs.
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  auto ids = root.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER='" +
                        kAccount.user + "'");
  REQUIRE(ids);
  for (const auto& row : ids->rows) {
    root.exec("KILL CONNECTION " + *row[0]);
  }
  CHECK(waitFor([&] { return kAccount.writerConnections() == "0"; }));
  checkSame(selectRow(select, 2), want);
  checkSame(selectRow(sameText, 2), want);
}

TEST_CASE("a backend connection holds at most mysql-max_stmts_per_connection statements") {
  MysqlClient c;
  connect(c);
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  // 30 distinct statements, each executed once, on a connection allowed 20 (the default).
  for (int k = 0; k < 30; ++k) {
    Stmt s(c, "SELECT " + std::to_string(k) + " + ? AS bound_marker");
    int32_t one = 1;
    MYSQL_BIND param;
    std::memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_LONG;
    param.buffer = &one;
    REQUIRE(mysql_stmt_bind_param(s.get(), &param) == 0);
    INFO("statement " << k << ": " << s.error() << " / " << mysql_error(c.handle()) << " errno "
                      << mysql_stmt_errno(s.get()));
    REQUIRE(mysql_stmt_execute(s.get()) == 0);
    REQUIRE(mysql_stmt_store_result(s.get()) == 0);
  }
  MysqlClient admin;
  connectAdmin(admin, proxy());
  CHECK(std::stoi(admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE "
                               "Variable_Name = 'Stmt_registry_entries'")) >= 30);
  // The server holds at most 20 of them for this proxy's one connection.
  auto count = root.query(
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
      "VARIABLE_NAME = 'PREPARED_STMT_COUNT'");
  REQUIRE(count);
  CHECK(std::stoi(*count->rows[0][0]) <= 20 + 5);  // + other tests' statements in flight
}

TEST_CASE("long data is sent in pieces and reaches the statement it belongs to") {
  MysqlClient c;
  connect(c);
  c.exec("DELETE FROM ps_types WHERE id = 3");
  Stmt insert(c, "INSERT INTO ps_types (id, b) VALUES (?, ?)");
  int32_t id = 3;
  MYSQL_BIND params[2];
  std::memset(params, 0, sizeof params);
  params[0].buffer_type = MYSQL_TYPE_LONG;
  params[0].buffer = &id;
  params[1].buffer_type = MYSQL_TYPE_BLOB;
  REQUIRE(mysql_stmt_bind_param(insert.get(), params) == 0);
  std::string piece(20000, 'x');  // three pieces fit a BLOB (64 KiB)
  for (int k = 0; k < 3; ++k) {
    piece[0] = static_cast<char>('a' + k);
    REQUIRE(mysql_stmt_send_long_data(insert.get(), 1, piece.data(), piece.size()) == 0);
  }
  int rc = mysql_stmt_execute(insert.get());
  INFO(insert.error() << " errno " << mysql_stmt_errno(insert.get()) << " conn "
                      << mysql_error(c.handle()));
  REQUIRE(rc == 0);
  CHECK(c.scalar("SELECT LENGTH(b) FROM ps_types WHERE id = 3") == "60000");
  CHECK(c.scalar("SELECT CONCAT(SUBSTR(b, 1, 1), SUBSTR(b, 20001, 1), SUBSTR(b, 40001, 1)) "
                 "FROM ps_types WHERE id = 3") == "abc");
}

TEST_CASE("a prepared statement works again after its server restarted") {
  // Its own server: restarting one of the shared cluster would break the tests beside.
  PrivateCluster cluster(0);
  const ClusterEnv& env = cluster.env();
  ProxyProcess restartProxy;
  ProxyProcess::Options options;
  options.configSql =
      "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (10, "
      "'127.0.0.1', " +
      std::to_string(env.writerPort()) +
      ");\n"
      "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('" +
      env.value("APP_USER") + "', '" + env.value("APP_PASSWORD") + "', 10);\n";
  REQUIRE(restartProxy.start(options));
  MysqlClient c;
  ConnectOptions login;
  login.port = restartProxy.appPort();
  login.user = env.value("APP_USER");
  login.password = env.value("APP_PASSWORD");
  REQUIRE(c.connect(login));
  Stmt s(c, "SELECT ? + 1 AS after_restart");
  auto run = [&](int32_t in) {
    MYSQL_BIND param;
    std::memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_LONG;
    param.buffer = &in;
    REQUIRE(mysql_stmt_bind_param(s.get(), &param) == 0);
    INFO(s.error());
    REQUIRE(mysql_stmt_execute(s.get()) == 0);
    int64_t out = 0;
    MYSQL_BIND result;
    std::memset(&result, 0, sizeof result);
    result.buffer_type = MYSQL_TYPE_LONGLONG;
    result.buffer = &out;
    REQUIRE(mysql_stmt_bind_result(s.get(), &result) == 0);
    REQUIRE(mysql_stmt_fetch(s.get()) == 0);
    mysql_stmt_free_result(s.get());
    return out;
  };
  CHECK(run(41) == 42);
  cluster.stopServer(1);
  cluster.startServer(1);
  // The proxy's connections died with the server and the statement with them; the next execute
  // prepares it again on a new connection.
  CHECK(run(99) == 100);
}

TEST_CASE("broken or unknown statement commands get a clear error and the session goes on") {
  RawClient raw;
  REQUIRE(raw.connect(proxy().appPort(), kAccount.user, kAccount.password, "rwtest", 0));
  auto errorCode = [](const std::optional<std::string>& reply) {
    REQUIRE(reply);
    REQUIRE(reply->size() >= 3);
    REQUIRE(static_cast<uint8_t>((*reply)[0]) == 0xFF);
    return static_cast<int>(static_cast<uint8_t>((*reply)[1]) | static_cast<uint8_t>((*reply)[2])
                                                                    << 8);
  };
  // COM_STMT_EXECUTE of a statement never prepared: 1243, as the server says it.
  const std::string unknownExecute("\x17\xE7\x03\x00\x00\x00\x01\x00\x00\x00", 10);
  CHECK(errorCode(raw.command(unknownExecute)) == 1243);
  // Too short to hold a statement id: malformed (1835).
  CHECK(errorCode(raw.command(std::string("\x17\x01", 2))) == 1835);
  CHECK(errorCode(raw.command(std::string("\x1c\x01", 2))) == 1835);  // COM_STMT_FETCH
  // A real statement (OK_stmt, a parameter, EOF, a column, EOF), then an execute cut short
  // after its flags: malformed, and the statement still works afterwards.
  auto prepared = raw.command(std::string("\x16") + "SELECT ? AS cut_short");
  REQUIRE(prepared);
  REQUIRE(static_cast<uint8_t>((*prepared)[0]) == 0x00);
  for (uint8_t seq = 2; seq <= 5; ++seq) {
    REQUIRE(raw.next(seq));
  }
  const std::string statementId = prepared->substr(1, 4);
  CHECK(errorCode(raw.command(std::string("\x17", 1) + statementId + std::string("\x00", 1))) ==
        1835);
  // Statement ids belong to the session that prepared them.
  RawClient other;
  REQUIRE(other.connect(proxy().appPort(), kAccount.user, kAccount.password, "rwtest", 0));
  CHECK(errorCode(other.command(unknownExecute.substr(0, 1) + statementId +
                                unknownExecute.substr(5))) == 1243);
  auto after = raw.query("SELECT 'still here'");
  REQUIRE(after);
  CHECK(after->rows.at(0).at(0) == "still here");
}

TEST_CASE("a statement runs in the schema it was prepared in, also where it is prepared again") {
  proxy();
  kAccount.create({"rwtest", "rwtest2"});
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  for (const char* schema : {"rwtest", "rwtest2"}) {
    root.exec(std::string("CREATE TABLE IF NOT EXISTS ") + schema + ".ps_where (v INT)");
    root.exec(std::string("DELETE FROM ") + schema + ".ps_where");
  }
  root.exec("INSERT INTO rwtest.ps_where VALUES (1)");
  root.exec("INSERT INTO rwtest2.ps_where VALUES (2)");
  MysqlClient a;
  connect(a);  // in rwtest
  Stmt where(a, "SELECT v FROM ps_where");
  auto run = [&] {
    INFO(where.error());
    REQUIRE(mysql_stmt_execute(where.get()) == 0);
    int32_t v = 0;
    MYSQL_BIND result;
    std::memset(&result, 0, sizeof result);
    result.buffer_type = MYSQL_TYPE_LONG;
    result.buffer = &v;
    REQUIRE(mysql_stmt_bind_result(where.get(), &result) == 0);
    REQUIRE(mysql_stmt_store_result(where.get()) == 0);
    REQUIRE(mysql_stmt_fetch(where.get()) == 0);
    mysql_stmt_free_result(where.get());
    return v;
  };
  CHECK(run() == 1);
  a.exec("USE rwtest2");
  CHECK(run() == 1);  // as on a server: the statement keeps the schema it was prepared in
  // Another client holds the pooled connection: the next execute prepares the statement again
  // on a new connection, which logs in to the client's current schema, rwtest2.
  MysqlClient b;
  connect(b);
  b.exec("BEGIN");
  b.exec("SELECT 1");
  CHECK(run() == 1);
  b.exec("COMMIT");
  CHECK(a.scalar("SELECT v FROM ps_where") == "2");  // plain queries follow the client's USE
}

TEST_CASE("long data of a statement closed before its execute never reaches another client") {
  const std::string sql = "SELECT CONCAT('got ', ?)";
  MysqlClient a;
  connect(a);
  {
    Stmt abandoned(a, sql);
    MYSQL_BIND param;
    std::memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_STRING;
    REQUIRE(mysql_stmt_bind_param(abandoned.get(), &param) == 0);
    REQUIRE(mysql_stmt_send_long_data(abandoned.get(), 0, "a's data", 8) == 0);
  }  // closed without an execute: the data waits on the server statement
  CHECK(a.scalar("SELECT 'next'") == "next");  // a's connection goes back to the pool now
  // The same text from another client maps to the same server statement on the pooled
  // connection; were the data left there, the server would use it for this execute.
  MysqlClient b;
  connect(b);
  Stmt mine(b, sql);
  char value[] = "b's value";
  unsigned long valueLength = sizeof value - 1;
  MYSQL_BIND param;
  std::memset(&param, 0, sizeof param);
  param.buffer_type = MYSQL_TYPE_STRING;
  param.buffer = value;
  param.buffer_length = valueLength;
  param.length = &valueLength;
  REQUIRE(mysql_stmt_bind_param(mine.get(), &param) == 0);
  INFO(mine.error());
  REQUIRE(mysql_stmt_execute(mine.get()) == 0);
  char got[64] = {};
  unsigned long gotLength = 0;
  MYSQL_BIND result;
  std::memset(&result, 0, sizeof result);
  result.buffer_type = MYSQL_TYPE_STRING;
  result.buffer = got;
  result.buffer_length = sizeof got;
  result.length = &gotLength;
  REQUIRE(mysql_stmt_bind_result(mine.get(), &result) == 0);
  REQUIRE(mysql_stmt_store_result(mine.get()) == 0);
  REQUIRE(mysql_stmt_fetch(mine.get()) == 0);
  CHECK(std::string(got, gotLength) == "got b's value");
}

TEST_CASE("an open cursor keeps its connection until it is fetched to the end, and no longer") {
  MysqlClient c;
  connect(c);
  MysqlClient admin;
  connectAdmin(admin, proxy());
  auto pinnedByCursor = [&] {
    return admin.scalar(
        "SELECT Variable_Value FROM stats_mysql_global WHERE "
        "Variable_Name = 'Pinned_sessions_cursor'");
  };
  Stmt rows(c, "SELECT seq FROM seq_1_to_3");
  unsigned long cursor = CURSOR_TYPE_READ_ONLY;
  unsigned long prefetch = 1;
  REQUIRE(mysql_stmt_attr_set(rows.get(), STMT_ATTR_CURSOR_TYPE, &cursor) == 0);
  REQUIRE(mysql_stmt_attr_set(rows.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch) == 0);
  INFO(rows.error());
  REQUIRE(mysql_stmt_execute(rows.get()) == 0);
  int64_t seq = 0;
  MYSQL_BIND result;
  std::memset(&result, 0, sizeof result);
  result.buffer_type = MYSQL_TYPE_LONGLONG;
  result.buffer = &seq;
  REQUIRE(mysql_stmt_bind_result(rows.get(), &result) == 0);
  REQUIRE(mysql_stmt_fetch(rows.get()) == 0);  // one COM_STMT_FETCH per row
  CHECK(seq == 1);
  CHECK(pinnedByCursor() == "1");  // the rest waits in the server's cursor
  REQUIRE(mysql_stmt_fetch(rows.get()) == 0);
  REQUIRE(mysql_stmt_fetch(rows.get()) == 0);
  CHECK(seq == 3);
  CHECK(mysql_stmt_fetch(rows.get()) == MYSQL_NO_DATA);
  CHECK(c.scalar("SELECT 'after'") == "after");
  CHECK(pinnedByCursor() == "0");  // exhausted: the connection is shared again

  // A statement executed with a cursor type that returns no result set opens no cursor.
  Stmt write(c, "DO 1");
  REQUIRE(mysql_stmt_attr_set(write.get(), STMT_ATTR_CURSOR_TYPE, &cursor) == 0);
  REQUIRE(mysql_stmt_execute(write.get()) == 0);
  CHECK(pinnedByCursor() == "0");
}

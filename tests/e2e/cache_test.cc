// The query result cache (rules with cache_ttl) against the real cluster: what is served from
// the cache and when, the memory bound, both EOF flavours, PROXYSQL FLUSH QUERY CACHE and the
// stats. Rows are changed directly on the writer (as root, bypassing the proxy): a stale value
// through the proxy can only come from its cache.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/proxy_process.h"
#include "tests/support/raw_client.h"
#include "tests/support/wait.h"

using namespace rwproxy::test;

namespace {

constexpr uint32_t kClientDeprecateEof = 1u << 24;
constexpr uint64_t kOneMiB = 1024 * 1024;

// A rule caching `pattern` for ttlMs on the writer's hostgroup (10).
std::string cacheRule(int id, const std::string& pattern, int ttlMs,
                      const std::string& extraColumns = "", const std::string& extraValues = "") {
  return "INSERT INTO mysql_query_rules (rule_id, active, match_pattern, destination_hostgroup, "
         "cache_ttl, apply" +
         extraColumns + ") VALUES (" + std::to_string(id) + ", 1, '" + pattern + "', 10, " +
         std::to_string(ttlMs) + ", 1" + extraValues + ");\n";
}

void startProxy(ProxyProcess& proxy, const std::string& rules, int threads = 1) {
  ProxyProcess::Options options;
  options.threads = threads;
  options.configSql =
      ProxyProcess::clusterConfig() + rules + "LOAD MYSQL QUERY RULES TO RUNTIME;\n";
  REQUIRE(proxy.start(options));
}

uint64_t stat(MysqlClient& admin, const std::string& name) {
  return std::stoull(globalStatus(admin, name));
}

// A fresh row with value `v`, written directly on the writer; returns its id.
std::string newRow(MysqlClient& writer, const std::string& v) {
  writer.exec("INSERT INTO rwtest.t (v) VALUES ('" + v + "')");
  return writer.scalar("SELECT LAST_INSERT_ID()");
}

void setRow(MysqlClient& writer, const std::string& id, const std::string& v) {
  writer.exec("UPDATE rwtest.t SET v = '" + v + "' WHERE id = " + id);
}

size_t rowCount(MysqlClient& c, const std::string& sql) {
  auto rs = c.query(sql);
  REQUIRE(rs);
  return rs->rows.size();
}

const char* kPointSelect = "^SELECT v FROM rwtest.t WHERE id=";

// One worker with a rule caching point selects on rwtest.t for ttlMs, a fresh row holding
// `value`, the writer as root, the admin port and an app client.
struct PointSelect {
  ProxyProcess proxy;
  MysqlClient writer;
  MysqlClient admin;
  MysqlClient app;
  std::string id;
  std::string query;

  PointSelect(int ttlMs, const std::string& value) {
    startProxy(proxy, cacheRule(1, kPointSelect, ttlMs));
    connectRoot(writer, ClusterEnv::get().writerPort());
    id = newRow(writer, value);
    connectAdmin(admin, proxy);
    connectApp(app, proxy.appPort(), "rwtest");
    query = "SELECT v FROM rwtest.t WHERE id=" + id;
  }
};

}  // namespace

TEST_CASE("a cached result is served within its TTL and the fresh one after it") {
  constexpr int kTtlMs = 3000;
  PointSelect t(kTtlMs, "ttl-old");
  MysqlClient& c = t.app;
  MysqlClient& admin = t.admin;
  const std::string& q = t.query;

  auto filled = std::chrono::steady_clock::now();  // the entry cannot expire before filled + TTL
  CHECK(c.scalar(q) == "ttl-old");                 // from the writer, now cached
  CHECK(stat(admin, "Query_Cache_count_SET") == 1);
  setRow(t.writer, t.id, "ttl-new");
  uint64_t hits = stat(admin, "Query_Cache_count_GET_OK");
  // The writer holds ttl-new: ttl-old can only come from the proxy's cache.
  std::string second = c.scalar(q);
  if (std::chrono::steady_clock::now() - filled < std::chrono::milliseconds(kTtlMs - 50)) {
    CHECK(second == "ttl-old");
    CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits + 1);
  } else {
    // Not a verdict on the cache: this machine took longer than the TTL for three statements.
    WARN("the TTL passed before the second read; the within-TTL check was skipped");
  }
  // Once the TTL has passed the next query goes to the writer again.
  CHECK(waitFor([&] { return c.scalar(q) == "ttl-new"; }));
  CHECK(stat(admin, "Query_Cache_count_SET") == 2);
}

TEST_CASE("transactions, autocommit=0 and other query text bypass the cache") {
  PointSelect t(600000, "tx-a");
  MysqlClient& c = t.app;
  MysqlClient& admin = t.admin;
  const std::string& q = t.query;
  REQUIRE(c.scalar(q) == "tx-a");
  setRow(t.writer, t.id, "tx-b");
  REQUIRE(c.scalar(q) == "tx-a");  // cached

  uint64_t gets = stat(admin, "Query_Cache_count_GET");
  uint64_t hits = stat(admin, "Query_Cache_count_GET_OK");
  // Other text, even if it only differs in a space, is another key.
  CHECK(c.scalar(q + " ") == "tx-b");
  CHECK(c.scalar(q + " /* other */") == "tx-b");
  CHECK(stat(admin, "Query_Cache_count_GET") == gets + 2);
  c.exec("BEGIN");
  CHECK(c.scalar(q) == "tx-b");
  c.exec("COMMIT");
  c.exec("SET autocommit = 0");
  CHECK(c.scalar(q) == "tx-b");
  c.exec("COMMIT");
  c.exec("SET autocommit = 1");
  CHECK(stat(admin, "Query_Cache_count_GET") == gets + 2);  // not even looked up
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits);
  // The transaction's replies were not stored either: the cached value is still the old one.
  CHECK(c.scalar(q) == "tx-a");
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits + 1);
}

TEST_CASE("clients with and without CLIENT_DEPRECATE_EOF read each other's cached results") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, "^SELECT id, v, NULL AS n FROM rwtest.t", 600000));
  const auto& env = ClusterEnv::get();
  MysqlClient writer;
  connectRoot(writer, env.writerPort());
  std::string a = newRow(writer, "eof-a");
  std::string b = newRow(writer, "eof-b");
  std::string q =
      "SELECT id, v, NULL AS n FROM rwtest.t WHERE id IN (" + a + ", " + b + ") ORDER BY id";
  MysqlClient admin;
  connectAdmin(admin, proxy);
  // One worker: every client shares its cache. libmariadb never offers DEPRECATE_EOF; the raw
  // clients show the exact bytes of each flavour.
  MysqlClient lib;
  connectApp(lib, proxy.appPort(), "rwtest");
  RawClient modern;
  REQUIRE(modern.connect(proxy.appPort(), env.value("APP_USER"), env.value("APP_PASSWORD"),
                         "rwtest", kClientDeprecateEof));
  REQUIRE((modern.capabilities() & kClientDeprecateEof) != 0);
  RawClient classic;
  REQUIRE(classic.connect(proxy.appPort(), env.value("APP_USER"), env.value("APP_PASSWORD"),
                          "rwtest", 0));
  const std::vector<Row> expected = {{a, "eof-a", std::nullopt}, {b, "eof-b", std::nullopt}};

  // DEPRECATE_EOF fills; the classic clients read.
  auto fromServerModern = modern.query(q);
  REQUIRE(fromServerModern);
  CHECK(fromServerModern->rows == expected);
  uint64_t hits = stat(admin, "Query_Cache_count_GET_OK");
  auto convertedClassic = classic.query(q);
  REQUIRE(convertedClassic);
  auto libRows = lib.query(q);
  REQUIRE(libRows);
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits + 2);
  CHECK(convertedClassic->rows == expected);
  CHECK(libRows->rows == expected);
  CHECK(libRows->columns == fromServerModern->columns);

  // The classic flavour fills; the DEPRECATE_EOF client reads.
  admin.exec("PROXYSQL FLUSH QUERY CACHE");
  auto fromServerClassic = classic.query(q);
  REQUIRE(fromServerClassic);
  hits = stat(admin, "Query_Cache_count_GET_OK");
  auto convertedModern = modern.query(q);
  REQUIRE(convertedModern);
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits + 1);
  CHECK(convertedModern->rows == expected);
  CHECK((convertedModern->statusFlags & 2) != 0);  // autocommit, as the session is

  // Converted replies are byte for byte what the server sends each flavour.
  CHECK(convertedClassic->bytes == fromServerClassic->bytes);
  CHECK(convertedModern->bytes == fromServerModern->bytes);
  // And every client still talks normally afterwards (no stray packets were left behind).
  CHECK(lib.scalar("SELECT 7") == "7");
  REQUIRE(modern.query("SELECT 8"));
  REQUIRE(classic.query("SELECT 9"));
}

TEST_CASE("the cache stays within mysql-query_cache_size_MB under a flood of distinct queries") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, "^SELECT REPEAT", 600000), 2);
  MysqlClient admin;
  connectAdmin(admin, proxy);
  admin.exec("SET mysql-query_cache_size_MB = 1");
  admin.exec("LOAD MYSQL VARIABLES TO RUNTIME");
  // Several clients, so both workers' shares (512 KiB each) fill.
  std::vector<std::unique_ptr<MysqlClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<MysqlClient>());
    connectApp(*clients.back(), proxy.appPort(), "rwtest");
  }
  uint64_t highest = 0;
  for (int i = 0; i < 1600; ++i) {
    auto& c = *clients[static_cast<size_t>(i) % clients.size()];
    std::string n = std::to_string(i);
    REQUIRE(c.scalar("SELECT REPEAT('x', 2000) AS pad, " + n + " AS n") == std::string(2000, 'x'));
    if (i % 100 == 99) {
      highest = std::max(highest, stat(admin, "Query_Cache_Memory_bytes"));
      REQUIRE(highest <= kOneMiB);
    }
  }
  uint64_t memory = stat(admin, "Query_Cache_Memory_bytes");
  INFO("Query_Cache_Memory_bytes " << memory << ", highest seen " << highest);
  CHECK(memory <= kOneMiB);
  CHECK(memory > kOneMiB / 4);  // it did fill (at least one worker's half)
  CHECK(stat(admin, "Query_Cache_count_SET") == 1600);
  CHECK(stat(admin, "Query_Cache_Purged") > 0);
  uint64_t entries = stat(admin, "Query_Cache_Entries");
  CHECK(entries > 100);
  CHECK(entries < 1600);

  // A result over the per-entry limit (512 KiB / 16 = 32 KiB) streams through and is not kept.
  auto& c = *clients[0];
  for (int i = 0; i < 2; ++i) {
    CHECK(c.scalar("SELECT REPEAT('y', 100000) AS big") == std::string(100000, 'y'));
  }
  CHECK(stat(admin, "Query_Cache_count_SET") == 1600);
  CHECK(stat(admin, "Query_Cache_Memory_bytes") <= kOneMiB);
}

TEST_CASE("PROXYSQL FLUSH QUERY CACHE empties every worker's cache") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, kPointSelect, 600000), 2);
  MysqlClient writer;
  connectRoot(writer, ClusterEnv::get().writerPort());
  MysqlClient admin;
  connectAdmin(admin, proxy);
  std::vector<std::unique_ptr<MysqlClient>> clients;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<MysqlClient>());
    connectApp(*clients.back(), proxy.appPort(), "rwtest");
    ids.push_back(newRow(writer, "flush-old"));
    REQUIRE(clients.back()->scalar("SELECT v FROM rwtest.t WHERE id=" + ids.back()) == "flush-old");
  }
  CHECK(stat(admin, "Query_Cache_Entries") == 6);
  CHECK(stat(admin, "Query_Cache_Memory_bytes") > 0);
  admin.exec("PROXYSQL FLUSH QUERY CACHE");
  CHECK(stat(admin, "Query_Cache_Entries") == 0);
  CHECK(stat(admin, "Query_Cache_Memory_bytes") == 0);
  uint64_t hits = stat(admin, "Query_Cache_count_GET_OK");
  for (size_t i = 0; i < ids.size(); ++i) {
    setRow(writer, ids[i], "flush-new");
    CHECK(clients[i]->scalar("SELECT v FROM rwtest.t WHERE id=" + ids[i]) == "flush-new");
  }
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == hits);
  CHECK(stat(admin, "Query_Cache_Entries") == 6);
}

TEST_CASE(
    "cache hits count as questions and rule hits, show under hostgroup -1, and move the "
    "Query_Cache counters") {
  PointSelect t(600000, "stats");
  MysqlClient& c = t.app;
  MysqlClient& admin = t.admin;
  const std::string& q = t.query;
  uint64_t questions = stat(admin, "Questions");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(c.scalar(q) == "stats");
  }
  CHECK(stat(admin, "Questions") == questions + 5);
  CHECK(stat(admin, "Query_Cache_count_GET") == 5);
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == 4);
  CHECK(stat(admin, "Query_Cache_count_SET") == 1);
  CHECK(stat(admin, "Query_Cache_Entries") == 1);
  uint64_t in = stat(admin, "Query_Cache_bytes_IN");
  CHECK(in > 0);
  CHECK(stat(admin, "Query_Cache_bytes_OUT") == 4 * in);  // same flavour: the same bytes
  CHECK(stat(admin, "Query_Cache_Memory_bytes") > in);
  CHECK(admin.scalar("SELECT hits FROM stats_mysql_query_rules WHERE rule_id = 1") == "5");
  CHECK(admin.scalar("SELECT count_star FROM stats_mysql_query_digest WHERE hostgroup = -1 AND "
                     "digest_text LIKE 'SELECT v FROM rwtest.t%'") == "4");
  CHECK(admin.scalar("SELECT count_star FROM stats_mysql_query_digest WHERE hostgroup = 10 AND "
                     "digest_text LIKE 'SELECT v FROM rwtest.t%'") == "1");

  // Empty results: cached by default (mysql-query_cache_stores_empty_result=true)...
  CHECK(rowCount(c, q + " AND v = 'none'") == 0);
  CHECK(stat(admin, "Query_Cache_count_SET") == 2);
  // ... not when the global variable says no ...
  admin.exec("SET mysql-query_cache_stores_empty_result = 'false'");
  admin.exec("LOAD MYSQL VARIABLES TO RUNTIME");
  CHECK(rowCount(c, q + " AND v = 'none2'") == 0);
  CHECK(stat(admin, "Query_Cache_count_SET") == 2);
  // ... and the rule's cache_empty_result overrides the global variable.
  admin.exec("UPDATE mysql_query_rules SET cache_empty_result = 1 WHERE rule_id = 1");
  admin.exec("LOAD MYSQL QUERY RULES TO RUNTIME");
  CHECK(rowCount(c, q + " AND v = 'none3'") == 0);
  CHECK(stat(admin, "Query_Cache_count_SET") == 3);
  CHECK(rowCount(c, q + " AND v = 'none3'") == 0);
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == 5);
}

TEST_CASE("a cache hit of a log=1 rule is in the events log under hostgroup -1") {
  ProxyProcess proxy;
  startProxy(proxy, "SET mysql-eventslog_filename='events.log';\n" +
                        cacheRule(1, "^SELECT .logged_hit", 600000, ", log", ", 1"));
  MysqlClient c;
  connectApp(c, proxy.appPort(), "rwtest");
  REQUIRE(c.scalar("SELECT 'logged_hit'") == "logged_hit");  // from the writer
  REQUIRE(c.scalar("SELECT 'logged_hit'") == "logged_hit");  // from the cache
  std::string text;
  REQUIRE(waitFor([&] {
    std::ifstream in(proxy.datadir() + "/events.log.00000001");
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
    return text.find("\"hostgroup\":-1") != std::string::npos;
  }));
  CHECK(text.find("\"hostgroup\":10") != std::string::npos);
}

TEST_CASE("a session pinned by state the cache cannot see is not served from it") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, "^SELECT IFNULL\\(@cached_var", 60000));
  const std::string read = "SELECT IFNULL(@cached_var, 'unset')";
  MysqlClient filler;
  REQUIRE(filler.connect(appOptions(proxy, "rwtest")));
  CHECK(filler.scalar(read) == "unset");  // cached
  MysqlClient pinned;
  REQUIRE(pinned.connect(appOptions(proxy, "rwtest")));
  // `:=` is not replayed (the session keeps its connection, pin reason user_variable), so the
  // proxy's own record of the session's variables says nothing of @cached_var.
  pinned.exec("SELECT @cached_var := 5");
  CHECK(pinned.scalar(read) == "5");
  CHECK(filler.scalar(read) == "unset");
}

TEST_CASE("a command answered from the cache leaves nothing behind for the next one") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, "^SELECT .leftover.", 60000));
  MysqlClient admin;
  connectAdmin(admin, proxy);
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy, "rwtest")));
  CHECK(app.scalar("SELECT 'leftover'") == "leftover");
  CHECK(app.scalar("SELECT 'leftover'") == "leftover");
  REQUIRE(stat(admin, "Query_Cache_count_GET_OK") == 1);
  // USE reports a session state change (the schema); it is expected there. A hit that left the
  // plain SELECT's "watch for unexpected state changes" armed would pin the session now.
  app.exec("USE rwtest2");
  CHECK(app.scalar("SELECT DATABASE()") == "rwtest2");
  CHECK(stat(admin, "Pinned_sessions") == 0);
}

TEST_CASE("the cache key is the query text after a rule rewrote it") {
  ProxyProcess proxy;
  startProxy(proxy, cacheRule(1, "^SELECT .rewrite_source. AS (a|b)$", 60000, ", replace_pattern",
                              ", 'SELECT ''rewritten'' AS r'"));
  MysqlClient admin;
  connectAdmin(admin, proxy);
  MysqlClient app;
  REQUIRE(app.connect(appOptions(proxy, "rwtest")));
  CHECK(app.scalar("SELECT 'rewrite_source' AS a") == "rewritten");
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == 0);
  // Different text from the client, the same text after the rewrite: answered from the cache.
  CHECK(app.scalar("SELECT 'rewrite_source' AS b") == "rewritten");
  CHECK(stat(admin, "Query_Cache_count_GET_OK") == 1);
}

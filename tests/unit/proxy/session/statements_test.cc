#include <catch2/catch.hpp>

#include "proxy/session/backend_statements.h"
#include "proxy/session/stmt_registry.h"

namespace rwproxy::session {
namespace {

TEST_CASE("the registry shares one statement per user, schema, EOF flavour and text") {
  StmtRegistry registry(10);
  std::string key = StmtRegistry::keyOf("app", "db", true, "SELECT ?");
  CHECK(registry.find(key) == nullptr);
  auto a = registry.add(key, "SELECT ?", 1, 1, "reply");
  REQUIRE(a);
  CHECK(a->numParams == 1);
  CHECK(registry.find(key) == a);
  CHECK(registry.add(key, "SELECT ?", 1, 1, "other reply") == a);  // the first one wins
  auto b = registry.add(StmtRegistry::keyOf("app", "db", false, "SELECT ?"), "SELECT ?", 1, 1, "r");
  REQUIRE(b);
  CHECK(b->id != a->id);
  CHECK(StmtRegistry::keyOf("ap", "pdb", true, "x") != StmtRegistry::keyOf("app", "db", true, "x"));
  CHECK(registry.entries() == 2);
  CHECK(registry.memoryBytes() > 0);
}

TEST_CASE("a full registry drops the least recently used statement nobody holds") {
  StmtRegistry registry(2);
  auto held = registry.add("k1", "q1", 0, 0, "");
  registry.add("k2", "q2", 0, 0, "");  // not held
  auto third = registry.add("k3", "q3", 0, 0, "");
  REQUIRE(third);
  CHECK(registry.find("k2") == nullptr);
  CHECK(registry.find("k1") == held);
  // Both remaining are held now: no room, and the caller is told.
  CHECK(registry.add("k4", "q4", 0, 0, "") == nullptr);
  CHECK(registry.entries() == 2);
}

TEST_CASE("a backend connection keeps at most max statements, closing the least recently used") {
  BackendStatements stmts;
  CHECK(stmts.evictForOneMore(2) == 0);
  stmts.add(1, 101);
  stmts.add(2, 102);
  CHECK(stmts.serverId(1) == 101);  // 1 is now more recent than 2
  CHECK(stmts.evictForOneMore(2) == 102);
  stmts.add(3, 103);
  CHECK(stmts.serverId(2) == 0);
  CHECK(stmts.size() == 2);
  stmts.clear();
  CHECK(stmts.serverId(1) == 0);
}

}  // namespace
}  // namespace rwproxy::session

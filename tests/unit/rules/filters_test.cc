// Each filter column alone: a rule with one filter and destination_hostgroup 1 either matches
// (hostgroup 1) or not (-1).
#include <catch2/catch.hpp>

#include "rules_test_util.h"

namespace rwproxy::rules::testing {
namespace {

struct FilterCase {
  Row rule;  // rule_id, active and destination_hostgroup are filled in
  std::string_view query;
  Who who;
  bool matches;
};

Row withAction(Row row) {
  row.ruleId = 1;
  row.active = true;
  row.destinationHostgroup = 1;
  return row;
}

TEST_CASE("each filter column decides the match", "[rules][filters]") {
  const FilterCase cases[] = {
      // No filter at all: everything matches.
      {{}, "SELECT 1", {}, true},
      // username, schemaname: exact, case-sensitive.
      {{.username = "app"}, "SELECT 1", {}, true},
      {{.username = "app"}, "SELECT 1", {.user = "App"}, false},
      {{.username = "app"}, "SELECT 1", {.user = "app2"}, false},
      {{.username = ""}, "SELECT 1", {.user = "anyone"}, true},  // '' is no filter
      {{.schemaname = "shop"}, "SELECT 1", {}, true},
      {{.schemaname = "shop"}, "SELECT 1", {.schema = "billing"}, false},
      // client_addr: exact, or prefix with a trailing '%'.
      {{.clientAddr = "10.0.0.7"}, "SELECT 1", {}, true},
      {{.clientAddr = "10.0.0.7"}, "SELECT 1", {.client = "10.0.0.70"}, false},
      {{.clientAddr = "10.0.%"}, "SELECT 1", {.client = "10.0.3.4"}, true},
      {{.clientAddr = "10.0.%"}, "SELECT 1", {.client = "10.1.0.1"}, false},
      {{.clientAddr = "%"}, "SELECT 1", {.client = "::1"}, true},
      // proxy_addr, proxy_port: the listener.
      {{.proxyAddr = "127.0.0.1"}, "SELECT 1", {}, true},
      {{.proxyAddr = "127.0.0.1"}, "SELECT 1", {.proxyAddr = "10.9.9.9"}, false},
      {{.proxyPort = 6033}, "SELECT 1", {}, true},
      {{.proxyPort = 6033}, "SELECT 1", {.proxyPort = 6034}, false},
      // match_digest: regex on the digest text (literals are ?).
      {{.matchDigest = "WHERE id=\\?$"}, "SELECT * FROM t WHERE id=42", {}, true},
      {{.matchDigest = "42"}, "SELECT * FROM t WHERE id=42", {}, false},
      {{.matchDigest = "^select"}, "SELECT 1", {}, true},  // CASELESS by default
      // match_pattern: partial match on the raw query; CASELESS by default.
      {{.matchPattern = "^SELECT"}, "select * from t", {}, true},
      {{.matchPattern = "FROM t$"}, "SELECT * FROM t", {}, true},
      {{.matchPattern = "users"}, "SELECT * FROM orders", {}, false},
      {{.matchPattern = "^SELECT", .reModifiers = ""}, "select 1", {}, false},
      {{.matchPattern = "^SELECT", .reModifiers = ""}, "SELECT 1", {}, true},
      {{.matchPattern = "^SELECT", .reModifiers = "GLOBAL"}, "select 1", {}, false},
      {{.matchPattern = "id=42", .reModifiers = "caseless"},
       "SELECT 1 FROM t WHERE ID=42",
       {},
       true},
      // negate_match_pattern inverts the pattern result.
      {{.matchPattern = "^SELECT", .negateMatchPattern = true}, "UPDATE t SET a=1", {}, true},
      {{.matchPattern = "^SELECT", .negateMatchPattern = true}, "SELECT 1", {}, false},
      // Several filters: all must match.
      {{.username = "app", .matchPattern = "^SELECT"}, "SELECT 1", {.user = "other"}, false},
      {{.username = "app", .schemaname = "shop", .matchPattern = "^SELECT"}, "SELECT 1", {}, true},
  };
  int n = 0;
  for (const auto& c : cases) {
    Harness h({withAction(c.rule)});
    INFO("case " << n++ << ": " << c.query);
    CHECK((h.hostgroup(c.query, c.who) == 1) == c.matches);
  }
}

TEST_CASE("digest filter compares the 64-bit hash exactly", "[rules][filters]") {
  std::string buffer;
  const auto digest = sql::computeDigest("SELECT * FROM t WHERE id = 1", buffer);
  const std::string hash(sql::formatDigestHash(digest.hash).view());
  Harness h({withAction({.digest = hash})});
  CHECK(h.hostgroup("SELECT * FROM t WHERE id = 99") == 1);      // same digest, other literal
  CHECK(h.hostgroup("select  *  from t where id = 'x'") == -1);  // digest keeps case
  CHECK(h.hostgroup("SELECT * FROM t WHERE id > 1") == -1);
}

TEST_CASE("both regex filters and a key filter together", "[rules][filters]") {
  Harness h(
      {withAction({.username = "app", .matchDigest = "FROM orders", .matchPattern = "^SEL"})});
  CHECK(h.hostgroup("SELECT * FROM orders WHERE id=1") == 1);
  CHECK(h.hostgroup("SELECT * FROM users WHERE id=1") == -1);
  CHECK(h.hostgroup("SELECT * FROM orders", {.user = "x"}) == -1);
}

TEST_CASE("invalid UTF-8 in the query still matches", "[rules][filters][utf8]") {
  // A latin1 client sends 'é' as the single byte 0xE9: `.` must still cross it, or a locking
  // read would escape its rule and go to a replica.
  Harness h({withAction({.matchPattern = "^SELECT.*FOR UPDATE"})});
  CHECK(h.hostgroup("SELECT * FROM t WHERE name = 'caf\xe9' FOR UPDATE") == 1);
  CHECK(h.hostgroup("SELECT '\xff\xfe' FOR UPDATE") == 1);
  CHECK(h.hostgroup("SELECT 'caf\xc3\xa9' FOR UPDATE") == 1);  // valid UTF-8 too
}

}  // namespace
}  // namespace rwproxy::rules::testing

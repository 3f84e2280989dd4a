#include "proxy/session/session_tracking.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/wire.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::session {
namespace {

namespace p = rwproxy::protocol;
using p::test::fromHex;
using Assignments = std::vector<sql::SessionAssignment>;
using Targets = std::vector<std::string>;

constexpr uint32_t kCaps = p::kClientProtocol41 | p::kClientTransactions | p::kClientSessionTrack;

std::optional<Assignments> learn(const Targets& targets, const std::string& okPayload,
                                 uint32_t caps = kCaps) {
  return learnTrackedValues(targets, p::asBytes(okPayload), caps);
}

// An OK with SESSION_STATE_CHANGED whose state info is `records`.
std::string okWith(const std::string& records) {
  std::string ok = fromHex("00 00 00 02 40 00 00 00");
  ok.push_back(static_cast<char>(records.size()));
  return ok + records;
}

// A system variable record.
std::string variable(const std::string& name, const std::string& value) {
  std::string data;
  data.push_back(static_cast<char>(name.size()));
  data += name;
  data.push_back(static_cast<char>(value.size()));
  data += value;
  return std::string(1, '\0') + static_cast<char>(data.size()) + data;
}

TEST_CASE("only MariaDB connections with CLIENT_SESSION_TRACK are asked to track") {
  CHECK(wantsSessionTracking(kCaps));
  CHECK_FALSE(wantsSessionTracking(kCaps & ~p::kClientSessionTrack));
  CHECK_FALSE(wantsSessionTracking(kCaps | p::kClientMysql));
}

TEST_CASE("the tracking statement names the replayable variables MariaDB has, and autocommit") {
  const std::string sql = sessionTrackingStatement();
  const std::string prefix = "SET session_track_system_variables = '";
  REQUIRE(sql.compare(0, prefix.size(), prefix) == 0);
  REQUIRE(sql.back() == '\'');
  std::vector<std::string> names;
  std::string list = sql.substr(prefix.size(), sql.size() - prefix.size() - 1);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    names.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  for (const std::string& name : names) {
    INFO(name);
    CHECK((name == "autocommit" || sql::isReplayableVariable(name)));
  }
  auto has = [&](const char* name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const char* name : {"autocommit", "character_set_client", "character_set_connection",
                           "character_set_results", "time_zone", "sql_mode", "max_join_size"}) {
    INFO(name);
    CHECK(has(name));
  }
  CHECK_FALSE(has("max_execution_time"));  // MariaDB refuses the whole list for it
  CHECK(names.size() == sql::replayableVariables().size() + 1 - 4);
}

TEST_CASE("the values MariaDB reported become literal assignments") {
  CHECK(learn({"sql_mode"}, fromHex(p::test::kSqlModeOk)) ==
        Assignments{{"sql_mode",
                     "'PIPES_AS_CONCAT,STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
                     "NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'"}});
  CHECK(learn({"max_join_size", "time_zone"}, fromHex(p::test::kTwoVariablesOk)) ==
        Assignments{{"max_join_size", "1000000"}, {"time_zone", "'SYSTEM'"}});
  CHECK(learn({"character_set_results"}, fromHex(p::test::kNullValueOk)) ==
        Assignments{{"character_set_results", "NULL"}});
  // The state-change flag that comes with a variable's change proves nothing more.
  CHECK(learn({"max_join_size"}, fromHex(p::test::kVariableAndStateOk)) ==
        Assignments{{"max_join_size", "18446744073709551615"}});
  // A variable the target moved along with it; the last report of a target wins.
  CHECK(learn({"collation_connection"},
              okWith(variable("collation_connection", "latin1_bin") +
                     variable("character_set_connection", "latin1") +
                     variable("collation_connection", "latin1_swedish_ci"))) ==
        Assignments{{"collation_connection", "'latin1_swedish_ci'"}});
}

TEST_CASE("a report that does not prove the whole effect learns nothing") {
  // A target without a value.
  CHECK_FALSE(learn({"sql_mode", "time_zone"}, fromHex(p::test::kSqlModeOk)));
  CHECK_FALSE(learn({"sql_mode"}, fromHex(p::test::kStateOnlyOk)));
  // A new schema: the statement did more than set variables.
  CHECK_FALSE(
      learn({"sql_mode"}, okWith(variable("sql_mode", "ANSI") + fromHex("01 07 06 727774657374"))));
  // A record type we do not know.
  CHECK_FALSE(learn({"sql_mode"}, okWith(variable("sql_mode", "ANSI") + fromHex("7f 01 00"))));
  // A value no literal replays safely.
  CHECK_FALSE(learn({"time_zone"}, okWith(variable("time_zone", "a\\b"))));
  CHECK_FALSE(learn({"time_zone"}, okWith(variable("time_zone", ""))));
  // No state info, or the connection has no session tracking.
  CHECK_FALSE(learn({"sql_mode"}, fromHex("00 00 00 02 00 00 00")));
  CHECK_FALSE(learn({"sql_mode"}, fromHex(p::test::kSqlModeOk),
                    p::kClientProtocol41 | p::kClientTransactions));
  // Malformed or truncated.
  CHECK_FALSE(learn({"sql_mode"}, okWith(fromHex("00 05 08 73"))));
  const std::string full = fromHex(p::test::kSqlModeOk);
  for (size_t n = 0; n < full.size(); ++n) {
    INFO("prefix " << n);
    CHECK_FALSE(learn({"sql_mode"}, full.substr(0, n)));
  }
}

}  // namespace
}  // namespace rwproxy::session

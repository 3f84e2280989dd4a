#include "proxy/session/session_tracking.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/session_state.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

namespace {

// Replayable variables MariaDB 10.11 does not have (SELECT @@name fails): MySQL's names, and
// transaction_isolation / transaction_read_only, which MariaDB only has from 11.1 on.
constexpr std::array<std::string_view, 4> kNotInMariadb = {
    "max_execution_time",
    "transaction_isolation",
    "transaction_read_only",
    "windowing_high_rows",
};

// What session_track_system_variables holds by default; kept so the server goes on reporting
// them (the replayable list has all of them but autocommit).
constexpr std::array<std::string_view, 5> kServerDefaults = {
    "autocommit", "character_set_client", "character_set_connection", "character_set_results",
    "time_zone",
};

bool contains(std::span<const std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

bool wantsSessionTracking(uint32_t negotiatedCapabilities) {
  return (negotiatedCapabilities & p::kClientSessionTrack) != 0 &&
         (negotiatedCapabilities & p::kClientMysql) == 0;
}

std::string sessionTrackingStatement() {
  std::string names;
  for (std::string_view name : kServerDefaults) {
    if (!sql::isReplayableVariable(name)) {
      names.append(names.empty() ? "" : ",").append(name);
    }
  }
  for (std::string_view name : sql::replayableVariables()) {
    if (!contains(kNotInMariadb, name)) {
      names.append(names.empty() ? "" : ",").append(name);
    }
  }
  return "SET session_track_system_variables = '" + names + "'";
}

std::optional<std::vector<sql::SessionAssignment>> learnTrackedValues(
    std::span<const std::string> targets, std::span<const uint8_t> okPayload,
    uint32_t capabilities) {
  auto info = p::sessionStateInfoOf(okPayload, capabilities);
  std::vector<p::SessionStateChange> changes;
  if (!info || info->empty() || !p::decodeSessionState(*info, changes)) {
    return std::nullopt;
  }
  for (const auto& c : changes) {
    if (c.type != p::kSessionTrackSystemVariables && c.type != p::kSessionTrackStateChange) {
      return std::nullopt;
    }
  }
  std::vector<sql::SessionAssignment> learned;
  learned.reserve(targets.size());
  for (const std::string& name : targets) {
    // The last report of a variable is its value after the statement.
    auto it = std::find_if(changes.rbegin(), changes.rend(), [&](const auto& c) {
      return c.type == p::kSessionTrackSystemVariables && c.name == name;
    });
    if (it == changes.rend()) {
      return std::nullopt;
    }
    auto literal = sql::replayableLiteral(name, it->value);
    if (!literal) {
      return std::nullopt;
    }
    learned.push_back({name, std::move(*literal)});
  }
  return learned;
}

}  // namespace rwproxy::session

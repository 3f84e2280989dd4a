// Learning the values of SET statements the proxy cannot evaluate from the server's session
// tracking (CLIENT_SESSION_TRACK, https://mariadb.com/kb/en/ok_packet/ session state info).
//
// `SET sql_mode = CONCAT(@@sql_mode, ',ANSI')` cannot be replayed from its text, but a server
// told to track sql_mode reports the value it computed in the statement's OK packet. The proxy
// stores that value as a literal (`sql_mode = '...'`) and replays it like any literal SET, so the
// client keeps multiplexing instead of pinning its connection.
//
// Right after its login a backend connection that negotiated CLIENT_SESSION_TRACK with a
// MariaDB server is told to track the replayable variables (sql/session_set.h) plus the
// server's own defaults. MariaDB 10.11 refuses the whole list when it names a variable the
// server does not have (error 1193), so the list leaves out the MySQL-only names; and it does
// not use '*', which would also report last_gtid after every write and so pin every session
// that writes (a plain statement reporting a change pins). MySQL servers are not asked yet
// (TODO(track): a MySQL list, tested against MySQL 8).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sql/session_set.h"

namespace rwproxy::session {

// True when a connection with these negotiated capabilities should be asked to track: it has
// CLIENT_SESSION_TRACK and the server is MariaDB (which clears bit 0, CLIENT_MYSQL).
bool wantsSessionTracking(uint32_t negotiatedCapabilities);

// The statement that asks for it: SET session_track_system_variables = '...'.
std::string sessionTrackingStatement();

// The values a tracked SET gave its `targets` (parseTrackedSet), from the payload of the OK
// that reported them (ReplyTracker::stateOk), as assignments of literals ready for
// SessionVars::apply. nullopt unless the report proves the statement's whole effect: every
// target has a value that replays as a literal (replayableLiteral), and every record is a
// system variable or the state-change flag that comes with it (a new schema, or a record type
// we do not know, means something else changed). Variables reported besides the targets are
// changed by the targets themselves (collation_connection moves character_set_connection) and
// come back when the targets are replayed.
std::optional<std::vector<sql::SessionAssignment>> learnTrackedValues(
    std::span<const std::string> targets, std::span<const uint8_t> okPayload,
    uint32_t capabilities);

}  // namespace rwproxy::session

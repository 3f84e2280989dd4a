// SET statements the proxy can replay on another backend connection.
//
// A client's `SET sql_mode = 'ANSI'`, `SET NAMES utf8mb4` or `SET @a = 5` leaves state on the
// backend connection that ran it. Rather than keeping that connection with the client for good
// (and losing multiplexing), the proxy remembers the assignment and replays it on whichever
// connection serves the client next. Only what replays exactly qualifies: session scope, a
// variable known to be safe to set again, and a single literal value. Anything else (GLOBAL
// scope, expressions, sub-queries, unknown variables) is not replayable: the caller pins.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::sql {

struct SessionAssignment {
  // Lower case. A system variable by its plain name ("sql_mode"), a user variable with its '@'
  // ("@a", quotes removed), or one of the charset statements: "names" (SET NAMES ...) and
  // "character set" (SET CHARACTER SET / CHARSET ...).
  std::string name;
  // The value as written in the statement, ready to be replayed after `name =` (or after
  // NAMES / CHARACTER SET): 'ANSI', 100, ON, DEFAULT, 'utf8mb4' COLLATE 'utf8mb4_bin'.
  std::string value;

  friend bool operator==(const SessionAssignment&, const SessionAssignment&) = default;
};

// The assignments of `query` when it is a replayable SET statement; nullopt otherwise
// (including every non-SET statement and SET autocommit / SET TRANSACTION, which the session
// tracks through the server's status flags).
std::optional<std::vector<SessionAssignment>> parseReplayableSet(std::string_view query);

// True for the session variables the proxy replays (lower-case name, no "@@" or scope).
bool isReplayableVariable(std::string_view name) noexcept;

}  // namespace rwproxy::sql

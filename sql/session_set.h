// SET statements the proxy can replay on another backend connection.
//
// A client's `SET sql_mode = 'ANSI'`, `SET NAMES utf8mb4` or `SET @a = 5` leaves state on the
// backend connection that ran it. Rather than keeping that connection with the client for good
// (and losing multiplexing), the proxy remembers the assignment and replays it on whichever
// connection serves the client next. Only what replays exactly qualifies: session scope, a
// variable known to be safe to set again, and a single literal value (parseReplayableSet).
//
// A SET whose values are expressions (`SET sql_mode = CONCAT(@@sql_mode, ',ANSI')`) can be
// replayed too once the server has said which values it computed: with CLIENT_SESSION_TRACK and
// session_track_system_variables naming the variable, the OK packet carries each new value.
// parseTrackedSet accepts such statements and names their targets; replayableLiteral turns a
// reported value back into a literal. Anything else (GLOBAL scope, user variable or unknown
// targets, expressions that could leave other state behind) is not replayable: the caller pins.
#pragma once

#include <optional>
#include <span>
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
// Every such variable, sorted.
std::span<const std::string_view> replayableVariables() noexcept;

// The targets of `query` (lower case, each once, in statement order) when it is a SET whose
// every assignment is `[SESSION | LOCAL] var = <expr>` or `@@[session. | local.]var = <expr>`
// with `var` replayable (isReplayableVariable) and <expr> an expression that can change nothing
// but the target: literals, system and user variables read, operators (not `:=`), parentheses,
// a few keywords (AND, CASE, ..., SELECT without FROM) and calls of side-effect-free built-in
// functions (CONCAT, REPLACE, IF, ...; unqualified, the parenthesis right after the name, so
// never a stored function). A single bare word (ON, DEFAULT) is a value too. nullopt for
// anything else: NAMES / CHARACTER SET, user variable targets, GLOBAL scope, sub-queries with
// FROM, stored functions, multiple statements. Literal-only SETs are accepted as well; callers
// try parseReplayableSet first.
std::optional<std::vector<std::string>> parseTrackedSet(std::string_view query);

// A literal that, replayed as `SET name = <literal>`, gives variable `name` the value the server
// reported for it through session tracking (the text SHOW VARIABLES shows): numbers unquoted
// (numeric variables refuse strings), '' for an empty sql_mode, NULL for an empty
// character_set_results or default_tmp_storage_engine, anything else single-quoted. nullopt
// when no literal is safe to replay: another empty value, or bytes outside printable ASCII or
// a backslash (whose meaning depends on NO_BACKSLASH_ESCAPES).
std::optional<std::string> replayableLiteral(std::string_view name, std::string_view value);

}  // namespace rwproxy::sql

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rwproxy::session {

// A quick, conservative look at a COM_QUERY text: enough to know whether the statement could
// leave session state behind on its backend connection (then the connection stays with the
// client) and to recognise the statements the proxy answers itself. Anything unrecognised
// counts as stateful: correct before clever.
struct StatementHints {
  // LastInsertId: SELECT LAST_INSERT_ID() / @@identity / @@last_insert_id alone, which the
  // proxy can answer from the last OK packet.
  enum class Kind { Stateless, Stateful, Use, Kill, LastInsertId };
  Kind kind = Kind::Stateful;
  std::string_view useSchema;  // Kind::Use: the schema named (backticks removed)
  uint64_t killId = 0;         // Kind::Kill
  bool killQueryOnly = false;  // KILL QUERY
  // Kind::LastInsertId: the select expression as written (the column's name).
  std::string_view columnName;
  // A SET statement (other than autocommit / TRANSACTION): it may be replayable.
  bool isSet = false;
  // The statement reads LAST_INSERT_ID(): the connection must know the client's value.
  bool usesLastInsertId = false;
  // Kind::Stateless: the server may still report a session state change (a stored function
  // that sets a variable); if it does, the connection is kept.
  bool watchStateChange = false;
  // Kind::Stateless: a plain SELECT or SHOW (no locking read): running it again elsewhere after
  // its connection broke before any reply changes nothing (mysql-query_retries_on_failure).
  bool isRead = false;
  // Kind::Stateful: what the statement leaves on the connection (for the pin reason).
  const char* reason = "unknown_statement";
};

StatementHints inspectStatement(std::string_view query);

}  // namespace rwproxy::session

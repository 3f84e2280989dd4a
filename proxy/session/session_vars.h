#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sql/session_set.h"

namespace rwproxy::session {

// The replayable session state (sql/session_set.h) that a client set, or that a backend
// connection carries, beyond what a fresh login gives. A client keeps its own; each backend
// connection keeps what was run on it. Before a connection serves a client, one SET statement
// brings the connection's state in line with the client's (only what differs).
//
// Empty for most sessions: nothing is allocated until a SET is seen.
class SessionVars {
 public:
  // Applies a SET that succeeded: DEFAULT forgets a system variable (back to the login value);
  // NAMES and CHARACTER SET replace every charset variable set before.
  void apply(std::span<const sql::SessionAssignment> assignments);
  void clear() { vars_.clear(); }
  bool empty() const { return vars_.empty(); }
  size_t size() const { return vars_.size(); }
  const std::vector<sql::SessionAssignment>& entries() const { return vars_; }
  // A 64-bit fingerprint of the entries (0 when empty), for keys that depend on session state.
  uint64_t fingerprint() const;

  // Appends the assignment list (comma-separated, without "SET ") that moves a connection
  // whose state is `from` to this state; appends nothing when they are equal. `collationId`
  // is the connection's login collation, needed to undo a SET NAMES; returns false when that
  // collation is unknown to us and the charset would have to be undone (the caller must not
  // use that connection for this client).
  bool appendSyncFrom(const SessionVars& from, uint8_t collationId, std::string& out) const;

  friend bool operator==(const SessionVars&, const SessionVars&) = default;

 private:
  std::vector<sql::SessionAssignment> vars_;  // charset statements first, then by name
};

// "SET NAMES <charset> COLLATE <collation>" arguments for a login collation id, or "" when the
// id is not one we know.
std::string_view namesForCollation(uint8_t collationId);

}  // namespace rwproxy::session

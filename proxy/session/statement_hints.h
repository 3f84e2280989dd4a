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
  enum class Kind { Stateless, Stateful, Use, Kill };
  Kind kind = Kind::Stateful;
  std::string_view useSchema;  // Kind::Use: the schema named (backticks removed)
  uint64_t killId = 0;         // Kind::Kill
  bool killQueryOnly = false;  // KILL QUERY
  // Kind::Stateful: what the statement leaves on the connection (for the pin reason).
  const char* reason = "unknown_statement";
};

StatementHints inspectStatement(std::string_view query);

}  // namespace rwproxy::session

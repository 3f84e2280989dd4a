// SET statement analysis for the classifier (internal to sql/).
#pragma once

#include <cstddef>
#include <optional>

#include "sql/classify.h"
#include "sql/token_stream.h"

namespace rwproxy::sql {

struct SetSummary {
  StatementKind kind = StatementKind::Set;  // Set, SetAutocommit or SetTransaction
  std::optional<bool> autocommit;           // session autocommit value assigned, if literal
  size_t literalUserVariableTargets = 0;    // `@x = <literal>` assignments
};

// Reads the assignment list of a SET statement; `stream` is positioned just after SET and is
// left somewhere inside or after the statement.
SetSummary parseSet(FlatTokenizer& stream) noexcept;

}  // namespace rwproxy::sql

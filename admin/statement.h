#pragma once

// Statement text helpers for the admin dialect: trimming, word splitting for the command table,
// and splitting a config-file script into statements.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "admin/status.h"

namespace rwproxy::admin {

// Removes leading whitespace and comments, and trailing whitespace and ';'.
std::string_view stripStatement(std::string_view text);

struct Word {
  std::string_view text;
  size_t offset = 0;  // into the text that was split
};

// Whitespace-separated words (quotes are not special: command patterns never need them).
std::vector<Word> splitWords(std::string_view text);

bool iequals(std::string_view a, std::string_view b);
std::string toLower(std::string_view text);

struct ScriptStatement {
  std::string text;  // comments removed, no trailing ';'
  int line = 0;      // 1-based line where the statement starts
};

// Splits a script on ';' outside quotes and comments (--, #, /* */). Statements without a final
// ';' at the end of the script count too. Fails on an unterminated quote or comment.
Result<std::vector<ScriptStatement>> splitScript(std::string_view script);

// If text starts with a quoted string ('..', "..", `..`), returns its unquoted content (doubled
// quotes collapsed) and sets consumed; otherwise returns text up to whitespace.
std::string unquote(std::string_view text, size_t* consumed = nullptr);

}  // namespace rwproxy::admin

// Internal to rules/: text helpers of evaluation. UTF-8 sanitizing, because RE2 in UTF-8 mode
// lets no pattern character (not even `.`) match an invalid byte, and clients in latin1 send
// such bytes; and replace_pattern rewriting into a reused buffer.
#pragma once

#include <re2/re2.h>

#include <string>
#include <string_view>

#include "rules/compiled_rule.h"

namespace rwproxy::rules {

// The byte that stands for an invalid UTF-8 byte in matched text: one ASCII character, so the
// sanitized text has the same length and offsets as the original, and `.` matches it.
inline constexpr char kInvalidByteStandIn = '\x1a';

bool isValidUtf8(std::string_view text) noexcept;

// `out` = `text` with each byte that is not part of a valid UTF-8 sequence (stray continuation,
// bad lead, truncated, overlong, surrogate, > U+10FFFF) replaced by kInvalidByteStandIn.
void sanitizeUtf8(std::string_view text, std::string& out);

// Replaces the first (or, if `global`, every) match of `re` in the text. Matching runs over
// `matchable`, the sanitized form of `raw` (same offsets); copied bytes come from `raw`, so
// invalid bytes survive the rewrite. Writes the result to `out` (cleared; its capacity reused).
// Returns the number of replacements; `out` is meaningless when 0.
// REQUIRES: raw.size() == matchable.size(); `out` does not alias either.
int rewriteText(const RE2& re, const RewriteTemplate& rewrite, bool global, std::string_view raw,
                std::string_view matchable, std::string& out);

}  // namespace rwproxy::rules

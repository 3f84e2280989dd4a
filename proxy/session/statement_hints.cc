#include "proxy/session/statement_hints.h"

#include <array>
#include <cctype>
#include <charconv>

namespace rwproxy::session {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Skips whitespace and comments (but not /*! */, which is executable).
size_t skipNoise(std::string_view q, size_t i) {
  while (i < q.size()) {
    if (isSpace(q[i])) {
      ++i;
    } else if (q.compare(i, 2, "/*") == 0 && q.compare(i, 3, "/*!") != 0) {
      size_t end = q.find("*/", i + 2);
      i = end == std::string_view::npos ? q.size() : end + 2;
    } else if (q[i] == '#' ||
               (q.compare(i, 2, "--") == 0 && (i + 2 == q.size() || isSpace(q[i + 2])))) {
      size_t end = q.find('\n', i);
      i = end == std::string_view::npos ? q.size() : end + 1;
    } else {
      break;
    }
  }
  return i;
}

std::string_view word(std::string_view q, size_t& i) {
  size_t start = i;
  while (i < q.size() && (std::isalnum(static_cast<unsigned char>(q[i])) || q[i] == '_')) {
    ++i;
  }
  return q.substr(start, i - start);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool containsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) {
    return false;
  }
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) {
      return true;
    }
  }
  return false;
}

// Text after the statement that is more than whitespace, comments and one ';'.
bool hasSecondStatement(std::string_view q) {
  char quote = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    char c = q[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == ';') {
      return skipNoise(q, i + 1) < q.size();
    }
  }
  return false;
}

constexpr std::array<std::string_view, 8> kStatelessVerbs = {
    "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "SHOW", "DESCRIBE", "EXPLAIN"};

// Substrings that mean a statement may leave state on its connection.
constexpr std::array<std::string_view, 8> kStatefulMarkers = {
    "LAST_INSERT_ID", "GET_LOCK", "TEMPORARY",    "FOUND_ROWS",
    "IS_USED_LOCK",   "RELEASE_", "INTO OUTFILE", "INTO DUMPFILE"};

}  // namespace

StatementHints inspectStatement(std::string_view q) {
  StatementHints h;
  size_t i = skipNoise(q, 0);
  std::string_view verb = word(q, i);
  if (iequals(verb, "USE")) {
    i = skipNoise(q, i);
    size_t start = i;
    std::string_view name;
    if (i < q.size() && q[i] == '`') {
      size_t end = q.find('`', i + 1);
      if (end == std::string_view::npos) {
        return h;
      }
      name = q.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      name = word(q, i);
      if (name.empty() || i == start) {
        return h;
      }
    }
    i = skipNoise(q, i);
    if (i < q.size() && q[i] == ';') {
      i = skipNoise(q, i + 1);
    }
    if (i == q.size() && !name.empty()) {
      h.kind = StatementHints::Kind::Use;
      h.useSchema = name;
    }
    return h;
  }
  if (iequals(verb, "KILL")) {
    i = skipNoise(q, i);
    size_t save = i;
    std::string_view what = word(q, i);
    if (iequals(what, "QUERY")) {
      h.killQueryOnly = true;
    } else if (!iequals(what, "CONNECTION")) {
      i = save;
    }
    i = skipNoise(q, i);
    std::string_view digits = word(q, i);
    i = skipNoise(q, i);
    if (i < q.size() && q[i] == ';') {
      i = skipNoise(q, i + 1);
    }
    uint64_t id = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size() &&
        i == q.size()) {
      h.kind = StatementHints::Kind::Kill;
      h.killId = id;
    }
    return h;
  }
  bool knownVerb = false;
  for (auto v : kStatelessVerbs) {
    knownVerb = knownVerb || iequals(verb, v);
  }
  if (!knownVerb || hasSecondStatement(q)) {
    return h;
  }
  // A user variable (@x, not the system variable form @@x) lives on the connection.
  for (size_t at = q.find('@'); at != std::string_view::npos; at = q.find('@', at + 2)) {
    if (at + 1 >= q.size() || q[at + 1] != '@') {
      return h;
    }
  }
  for (auto marker : kStatefulMarkers) {
    if (containsNoCase(q, marker)) {
      return h;
    }
  }
  h.kind = StatementHints::Kind::Stateless;
  return h;
}

}  // namespace rwproxy::session

#include "admin/statement.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rwproxy::admin {

namespace {

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A comment starting at text[i], if any: returns its length (to end of line or past "*/"),
// 0 when there is none, npos when a /* comment is unterminated.
size_t commentLength(std::string_view text, size_t i) {
  std::string_view rest = text.substr(i);
  if (rest.starts_with("#") || rest.starts_with("--")) {
    size_t nl = rest.find('\n');
    return nl == std::string_view::npos ? rest.size() : nl;
  }
  if (rest.starts_with("/*")) {
    size_t end = rest.find("*/", 2);
    return end == std::string_view::npos ? std::string_view::npos : end + 2;
  }
  return 0;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view stripStatement(std::string_view text) {
  for (;;) {
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    size_t len = commentLength(text, 0);
    if (len == 0 || len == std::string_view::npos) break;
    text.remove_prefix(len);
  }
  while (!text.empty() && (isSpace(text.back()) || text.back() == ';')) text.remove_suffix(1);
  return text;
}

std::vector<Word> splitWords(std::string_view text) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !isSpace(text[i])) ++i;
    if (i > start) words.push_back({text.substr(start, i - start), start});
  }
  return words;
}

Result<std::vector<ScriptStatement>> splitScript(std::string_view script) {
  std::vector<ScriptStatement> out;
  std::string current;
  int line = 1;
  int startLine = 0;
  auto flush = [&] {
    std::string_view s = stripStatement(current);
    if (!s.empty()) out.push_back({std::string(s), startLine});
    current.clear();
    startLine = 0;
  };
  for (size_t i = 0; i < script.size();) {
    char c = script[i];
    if (size_t len = commentLength(script, i); len != 0) {
      if (len == std::string_view::npos) {
        return makeFailure(fmt::format("line {}: unterminated /* comment", line));
      }
      line += static_cast<int>(std::count(script.begin() + i, script.begin() + i + len, '\n'));
      current += ' ';
      i += len;
      continue;
    }
    if (c == ';') {
      flush();
      ++i;
      continue;
    }
    if (startLine == 0 && !isSpace(c)) startLine = line;
    if (c == '\'' || c == '"' || c == '`') {
      // A quoted string runs to the matching quote; a doubled quote is part of the string.
      size_t j = i + 1;
      while (j < script.size() &&
             !(script[j] == c && (j + 1 >= script.size() || script[j + 1] != c))) {
        j += script[j] == c ? 2 : 1;
      }
      if (j >= script.size()) {
        return makeFailure(fmt::format("line {}: unterminated quoted string", line));
      }
      std::string_view quoted = script.substr(i, j + 1 - i);
      line += static_cast<int>(std::count(quoted.begin(), quoted.end(), '\n'));
      current += quoted;
      i = j + 1;
      continue;
    }
    if (c == '\n') ++line;
    current += c;
    ++i;
  }
  flush();
  return out;
}

std::string unquote(std::string_view text, size_t* consumed) {
  std::string out;
  if (!text.empty() && (text[0] == '\'' || text[0] == '"' || text[0] == '`')) {
    char q = text[0];
    size_t i = 1;
    for (; i < text.size(); ++i) {
      if (text[i] == q) {
        if (i + 1 < text.size() && text[i + 1] == q) {
          out += q;
          ++i;
          continue;
        }
        break;
      }
      out += text[i];
    }
    if (consumed != nullptr) *consumed = std::min(i + 1, text.size());
    return out;
  }
  size_t end = 0;
  while (end < text.size() && !isSpace(text[end])) ++end;
  if (consumed != nullptr) *consumed = end;
  return std::string(text.substr(0, end));
}

}  // namespace rwproxy::admin

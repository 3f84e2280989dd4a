#include "sql/tokenizer.h"

#include <algorithm>

namespace rwproxy::sql {
namespace {

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

bool isHexDigit(char c) noexcept {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Bytes >= 0x80 are identifier characters: MySQL accepts any non-ASCII character in unquoted
// identifiers, and treating every lead and continuation byte alike means a UTF-8 sequence is
// never split between tokens.
bool isIdentChar(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || isDigit(c) || u == '_' || u == '$' ||
         u >= 0x80;
}

bool isSpace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// "--" starts a comment only when followed by whitespace or a control character (MySQL
// "'--' Comment Style"); otherwise "1--1" is one minus minus one.
bool startsDashComment(char afterDashes) noexcept {
  return static_cast<unsigned char>(afterDashes) <= ' ';
}

bool isAdjacentName(TokenKind kind) noexcept {
  return kind == TokenKind::Word || kind == TokenKind::QuotedIdentifier;
}

bool isQuotedLiteral(TokenKind kind) noexcept {
  return kind == TokenKind::String || kind == TokenKind::DoubleQuotedString ||
         kind == TokenKind::QuotedIdentifier;
}

}  // namespace

bool equalsKeyword(std::string_view text, std::string_view upper) noexcept {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

std::string_view executableCommentBody(std::string_view text) noexcept {
  size_t begin = 0;
  if (text.starts_with("/*!")) {
    begin = 3;
  } else if (text.starts_with("/*M!")) {
    begin = 4;
  } else {
    return {};
  }
  size_t digits = 0;
  while (begin + digits < text.size() && isDigit(text[begin + digits])) ++digits;
  // Versions are 5 digits (50100) or 6 (MySQL 8.0.34+ and MariaDB 100100).
  if (digits == 5) begin += 5;
  if (digits >= 6) begin += 6;
  size_t end = text.size();
  if (end >= begin + 2 && text.ends_with("*/")) end -= 2;
  return text.substr(begin, end - begin);
}

Token Tokenizer::make(TokenKind kind, size_t start, bool unterminated) noexcept {
  return Token{kind, unterminated, input_.substr(start, pos_ - start)};
}

Token Tokenizer::next() noexcept {
  const size_t start = pos_;
  if (start >= input_.size()) return Token{TokenKind::End, false, input_.substr(input_.size())};
  const char c = input_[start];
  Token token;
  if (isSpace(c)) {
    while (pos_ < input_.size() && isSpace(input_[pos_])) ++pos_;
    return make(TokenKind::Whitespace, start);
  }
  if (c == '#' || (c == '-' && peek(1) == '-' && startsDashComment(peek(2)))) {
    skipToLineEnd();
    return make(TokenKind::Comment, start);
  }
  if (isIdentChar(c)) {
    token = lexWordOrNumber(start);
  } else if (c == '\'') {
    token = lexQuoted(start, TokenKind::String, '\'', !options_.noBackslashEscapes);
  } else if (c == '"') {
    token = options_.ansiQuotes ? lexQuoted(start, TokenKind::QuotedIdentifier, '"', false)
                                : lexQuoted(start, TokenKind::DoubleQuotedString, '"',
                                            !options_.noBackslashEscapes);
  } else if (c == '`') {
    token = lexQuoted(start, TokenKind::QuotedIdentifier, '`', false);
  } else if (c == '.') {
    // ".5" is a number, but in "t.5" the 5 is a column name qualified by t.
    bool qualifier = isAdjacentName(lastKind_) && lastEnd_ == start;
    if (isDigit(peek(1)) && !qualifier) {
      token = lexNumber(start);
    } else {
      ++pos_;
      token = make(TokenKind::Dot, start);
    }
  } else if (c == '/') {
    token = lexSlash(start);
  } else if (c == '@') {
    token = lexAt(start);
  } else if (c == '\\' && peek(1) == 'N') {
    pos_ += 2;
    token = make(TokenKind::Null, start);
  } else {
    token = lexOperator(start);
  }
  if (!isTrivia(token.kind)) {
    lastKind_ = token.kind;
    lastEnd_ = pos_;
  }
  return token;
}

void Tokenizer::skipToLineEnd() noexcept {
  while (pos_ < input_.size() && input_[pos_] != '\n') ++pos_;
}

Token Tokenizer::lexWordOrNumber(size_t start) noexcept {
  const char c = input_[start];
  const bool quoteNext = peek(1) == '\'';
  if (quoteNext && (c == 'x' || c == 'X')) {
    ++pos_;
    return lexQuoted(start, TokenKind::HexNumber, '\'', false);
  }
  if (quoteNext && (c == 'b' || c == 'B')) {
    ++pos_;
    return lexQuoted(start, TokenKind::BitNumber, '\'', false);
  }
  if (quoteNext && (c == 'n' || c == 'N')) {
    ++pos_;
    return lexQuoted(start, TokenKind::String, '\'', !options_.noBackslashEscapes);
  }
  // After "t." a leading digit still starts a name ("t.1col", "t.123").
  const bool qualified = lastKind_ == TokenKind::Dot && lastEnd_ == start;
  if (isDigit(c) && !qualified) return lexNumber(start);
  return lexWord(start);
}

Token Tokenizer::lexWord(size_t start) noexcept {
  pos_ = start;
  while (pos_ < input_.size() && isIdentChar(input_[pos_])) ++pos_;
  Token t = make(TokenKind::Word, start);
  if (equalsKeyword(t.text, "NULL")) {
    t.kind = TokenKind::Null;
  } else if (equalsKeyword(t.text, "TRUE") || equalsKeyword(t.text, "FALSE")) {
    t.kind = TokenKind::Boolean;
  }
  return t;
}

// Numbers: 42, 1.5, .5, 1., 1e10, 1.5E-3, 0x1F, 0b01. Digits followed by identifier characters
// form an identifier in MySQL ("1abc", "0x1G", "1e"), so those fall back to lexWord.
Token Tokenizer::lexNumber(size_t start) noexcept {
  const std::string_view in = input_;
  auto at = [&](size_t i) { return i < in.size() ? in[i] : '\0'; };
  if (at(start) == '0' && (at(start + 1) == 'x' || at(start + 1) == 'b')) {
    const bool hex = at(start + 1) == 'x';
    size_t p = start + 2;
    while (hex ? isHexDigit(at(p)) : (at(p) == '0' || at(p) == '1')) ++p;
    if (p > start + 2 && !isIdentChar(at(p))) {
      pos_ = p;
      return make(hex ? TokenKind::HexNumber : TokenKind::BitNumber, start);
    }
    return lexWord(start);
  }
  size_t p = start;
  while (isDigit(at(p))) ++p;
  bool decimal = false;
  if (at(p) == '.') {
    decimal = true;
    ++p;
    while (isDigit(at(p))) ++p;
  }
  const char afterE = at(p + 1);
  const bool signedExp = (afterE == '+' || afterE == '-') && isDigit(at(p + 2));
  if ((at(p) == 'e' || at(p) == 'E') && (isDigit(afterE) || signedExp)) {
    decimal = true;
    p += signedExp ? 3 : 2;
    while (isDigit(at(p))) ++p;
  } else if (!decimal && isIdentChar(at(p))) {
    return lexWord(start);
  }
  pos_ = p;
  return make(decimal ? TokenKind::Decimal : TokenKind::Integer, start);
}

// pos_ is at the opening quote; a token may have a prefix (X'..', N'..', @'..') from `start`.
// A doubled quote stands for one quote; with backslashEscapes "\x" is one escaped character.
Token Tokenizer::lexQuoted(size_t start, TokenKind kind, char quote,
                           bool backslashEscapes) noexcept {
  ++pos_;
  while (pos_ < input_.size()) {
    const char c = input_[pos_];
    if (backslashEscapes && c == '\\') {
      pos_ = std::min(pos_ + 2, input_.size());
      continue;
    }
    if (c == quote) {
      if (peek(1) == quote) {
        pos_ += 2;
        continue;
      }
      ++pos_;
      return make(kind, start);
    }
    ++pos_;
  }
  return make(kind, start, true);
}

Token Tokenizer::lexSlash(size_t start) noexcept {
  if (peek(1) != '*') {
    ++pos_;
    return make(TokenKind::Operator, start);
  }
  TokenKind kind = TokenKind::Comment;
  if (peek(2) == '!' || (peek(2) == 'M' && peek(3) == '!')) {
    kind = TokenKind::ExecutableComment;
  } else if (peek(2) == '+') {
    kind = TokenKind::OptimizerHint;
  }
  // Comments do not nest: "/* /* */" ends at the first "*/".
  const size_t close = input_.find("*/", start + 2);
  if (close == std::string_view::npos) {
    pos_ = input_.size();
    return make(kind, start, true);
  }
  pos_ = close + 2;
  return make(kind, start);
}

Token Tokenizer::lexAt(size_t start) noexcept {
  auto scanName = [this](size_t from) {
    pos_ = from;
    while (pos_ < input_.size() && (isIdentChar(input_[pos_]) || input_[pos_] == '.')) ++pos_;
    return pos_ > from;
  };
  if (peek(1) == '@') {
    if (scanName(start + 2)) return make(TokenKind::SystemVariable, start);
    pos_ = start + 2;
    return make(TokenKind::Unknown, start);
  }
  // 'user'@'host': the @ right after a quoted name separates an account's user and host.
  if (isQuotedLiteral(lastKind_) && lastEnd_ == start) {
    ++pos_;
    return make(TokenKind::Operator, start);
  }
  const char q = peek(1);
  if (q == '\'' || q == '"' || q == '`') {
    ++pos_;
    return lexQuoted(start, TokenKind::UserVariable, q, q != '`' && !options_.noBackslashEscapes);
  }
  if (scanName(start + 1)) return make(TokenKind::UserVariable, start);
  pos_ = start + 1;
  return make(TokenKind::Operator, start);
}

Token Tokenizer::lexOperator(size_t start) noexcept {
  static constexpr std::string_view kLong[] = {
      "<=>", "->>", "<=", ">=", "<>", "!=", "<<", ">>", ":=", "||", "&&", "->"};
  const std::string_view rest = input_.substr(start);
  for (std::string_view op : kLong) {
    if (rest.starts_with(op)) {
      pos_ = start + op.size();
      return make(TokenKind::Operator, start);
    }
  }
  ++pos_;
  switch (rest[0]) {
    case '(':
      return make(TokenKind::LeftParen, start);
    case ')':
      return make(TokenKind::RightParen, start);
    case ',':
      return make(TokenKind::Comma, start);
    case ';':
      return make(TokenKind::Semicolon, start);
    case '?':
      return make(TokenKind::Placeholder, start);
    default:
      break;
  }
  static constexpr std::string_view kSingle = "=<>!~^&|+-*/%:{}[]";
  const bool known = kSingle.find(rest[0]) != std::string_view::npos;
  return make(known ? TokenKind::Operator : TokenKind::Unknown, start);
}

}  // namespace rwproxy::sql

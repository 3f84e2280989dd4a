// MySQL/MariaDB lexer over a std::string_view.
//
// Produces one token at a time; every token's text is a view into the input, so the input must
// remain live while tokens are used. No heap allocation, no exceptions, one forward pass, never
// reads past the end of the input. Malformed input (unterminated strings, comments, quoted
// identifiers; stray bytes) still yields tokens: the token is flagged `unterminated` or has kind
// Unknown. Thread-safety: a Tokenizer is a small value; copy it to look ahead.
//
// Lexical structure follows https://mariadb.com/kb/en/sql-language-structure/ and the MySQL
// "Language Structure" chapter (literals, identifiers, comments, user/system variables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rwproxy::sql {

enum class TokenKind : uint8_t {
  End,                // no more input; text is empty
  Whitespace,         // space, \t, \n, \r, \f, \v
  Comment,            // "-- ...", "# ...", "/* ... */"
  ExecutableComment,  // "/*! ... */", "/*!50100 ... */", MariaDB "/*M! ... */"
  OptimizerHint,      // "/*+ ... */"
  Word,               // keyword or unquoted identifier (ASCII letters, digits, _, $, bytes >= 0x80)
  QuotedIdentifier,   // `a``b`; also "a" when TokenizerOptions::ansiQuotes
  String,             // 'a''b\'c', N'...', n'...'
  DoubleQuotedString,  // "a""b\"c" (unless ansiQuotes)
  Integer,             // 42
  Decimal,             // 1.5, .5, 1., 1e10, 1.5E-3
  HexNumber,           // 0x1F, X'0F', x'0f'
  BitNumber,           // 0b01, b'0101', B'1'
  Null,                // NULL (any case) and \N
  Boolean,             // TRUE, FALSE (any case)
  Placeholder,         // ?
  UserVariable,        // @x, @'x', @"x", @`x`
  SystemVariable,      // @@x, @@session.x, @@global.x
  Operator,            // = <=> != <> >= <= := || && -> ->> + - * / % ... and the @ of user@host
  LeftParen,           // (
  RightParen,          // )
  Comma,               // ,
  Semicolon,           // ;
  Dot,                 // . (qualifier separator)
  Unknown,             // any other byte (control characters, stray backslash)
};

struct Token {
  TokenKind kind = TokenKind::End;
  // True when a string, quoted identifier, variable or comment reached the end of input before
  // its closing delimiter. The text then runs to the end of input.
  bool unterminated = false;
  std::string_view text;
};

struct TokenizerOptions {
  // sql_mode NO_BACKSLASH_ESCAPES: backslash is an ordinary character inside strings.
  bool noBackslashEscapes = false;
  // sql_mode ANSI_QUOTES: "a" is a quoted identifier, not a string.
  bool ansiQuotes = false;
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view input, TokenizerOptions options = {}) noexcept
      : input_(input), options_(options) {}

  // Returns the next token, or a token of kind End (repeatedly) once the input is exhausted.
  Token next() noexcept;

  // Byte offset of the next unread character.
  size_t position() const noexcept { return pos_; }
  std::string_view input() const noexcept { return input_; }

 private:
  Token make(TokenKind kind, size_t start, bool unterminated = false) noexcept;
  Token lexWordOrNumber(size_t start) noexcept;
  Token lexNumber(size_t start) noexcept;
  Token lexWord(size_t start) noexcept;
  Token lexQuoted(size_t start, TokenKind kind, char quote, bool backslashEscapes) noexcept;
  Token lexSlash(size_t start) noexcept;
  Token lexAt(size_t start) noexcept;
  Token lexOperator(size_t start) noexcept;
  void skipToLineEnd() noexcept;
  char peek(size_t offset) const noexcept {
    return pos_ + offset < input_.size() ? input_[pos_ + offset] : '\0';
  }

  std::string_view input_;
  TokenizerOptions options_;
  size_t pos_ = 0;
  // Kind and end offset of the last token that was not whitespace or a comment: the lexer needs
  // a little context (t.5 is a qualified name, 'u'@'h' is an account name).
  TokenKind lastKind_ = TokenKind::End;
  size_t lastEnd_ = 0;
};

// ASCII case-insensitive equality; `upper` must be upper case (keywords are written that way).
bool equalsKeyword(std::string_view text, std::string_view upper) noexcept;

// True when `token` is a Word equal (ignoring ASCII case) to `upper`.
inline bool isKeyword(const Token& token, std::string_view upper) noexcept {
  return token.kind == TokenKind::Word && equalsKeyword(token.text, upper);
}

// The SQL inside an ExecutableComment token: without "/*!", "/*M!", the version number (5 or 6
// digits) and the closing "*/" (if present).
std::string_view executableCommentBody(std::string_view commentText) noexcept;

// A literal value: a string, a number, NULL, TRUE or FALSE.
inline bool isLiteralValue(const Token& token) noexcept {
  switch (token.kind) {
    case TokenKind::String:
    case TokenKind::DoubleQuotedString:
    case TokenKind::Integer:
    case TokenKind::Decimal:
    case TokenKind::HexNumber:
    case TokenKind::BitNumber:
    case TokenKind::Null:
    case TokenKind::Boolean:
      return true;
    default:
      return false;
  }
}

// Tokens that carry no meaning for the statement: whitespace, comments and optimizer hints.
inline bool isTrivia(TokenKind kind) noexcept {
  return kind == TokenKind::Whitespace || kind == TokenKind::Comment ||
         kind == TokenKind::OptimizerHint;
}

}  // namespace rwproxy::sql

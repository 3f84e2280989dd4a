// A token stream that sees through executable comments.
//
// "/*!40101 SET NAMES utf8 */" and "SELECT /*!SQL_NO_CACHE */ a" carry SQL the server runs, so
// the digest and the classifier must read it. FlatTokenizer yields an ExecutableComment token
// (the whole comment, as a marker), then the tokens of its body, then a Comment token holding the
// closing "*/" (empty text if the comment is unterminated). Executable comments inside a body
// are yielded as plain markers and not expanded again: a body ends at the first "*/", so it can
// only hold an unterminated one, and not recursing keeps the work linear.
//
// Token texts are views into the input, which must remain live while they are used. A
// FlatTokenizer is a small value: copy it to look ahead.
#pragma once

#include <string_view>

#include "sql/tokenizer.h"

namespace rwproxy::sql {

// Tokens that carry no meaning: whitespace, comments, hints and executable-comment markers.
inline bool isSeparator(TokenKind kind) noexcept {
  return isTrivia(kind) || kind == TokenKind::ExecutableComment;
}

class FlatTokenizer {
 public:
  explicit FlatTokenizer(std::string_view input, TokenizerOptions options = {}) noexcept
      : outer_(input, options), inner_({}, options), options_(options) {}

  // Every token, executable comments expanded as described above; End once exhausted.
  Token next() noexcept;

  // The next token for which isSeparator() is false (End once exhausted).
  Token nextSignificant() noexcept {
    Token t = next();
    while (isSeparator(t.kind)) t = next();
    return t;
  }

 private:
  Tokenizer outer_;
  Tokenizer inner_;
  TokenizerOptions options_;
  bool inBody_ = false;
  std::string_view closing_;
};

}  // namespace rwproxy::sql

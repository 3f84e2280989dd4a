#include "sql/token_stream.h"

namespace rwproxy::sql {

Token FlatTokenizer::next() noexcept {
  if (inBody_) {
    Token t = inner_.next();
    if (t.kind != TokenKind::End) return t;
    inBody_ = false;
    return Token{TokenKind::Comment, false, closing_};
  }
  Token t = outer_.next();
  if (t.kind == TokenKind::ExecutableComment) {
    inner_ = Tokenizer(executableCommentBody(t.text), options_);
    closing_ = t.unterminated ? t.text.substr(t.text.size()) : t.text.substr(t.text.size() - 2);
    inBody_ = true;
  }
  return t;
}

}  // namespace rwproxy::sql

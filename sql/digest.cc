// Digest normalization (rules in digest.h).
//
// One pass over the flattened token stream, writing straight into the caller's buffer. List
// collapsing needs no second pass: each IN / VALUES list keeps a small frame with the output
// offset where its current item began, and when an item ends as the second (or later) literal-
// only item of a run, the output is cut back to that offset and `,...` is written once. A long
// IN list therefore never grows the output by more than one item.
#include <algorithm>
#include <array>
#include <cstring>

#include "sql/digest.h"
#include "sql/token_stream.h"

namespace rwproxy::sql {
namespace {

enum class FrameKind : uint8_t { Tuple, InList, ValuesList };

struct Frame {
  FrameKind kind = FrameKind::Tuple;
  bool allPure = true;         // every finished item was literal-only
  bool itemPure = true;        // the current item holds only literals so far
  bool itemEmpty = true;       // the current item has no token yet
  bool prevItemPure = false;   // the previous item was literal-only
  bool markerWritten = false;  // `,...` already stands for the current run
  size_t itemStart = 0;        // output offset of the current item (at its leading comma)
};

// Strings and numbers become `?`; NULL, TRUE and FALSE stay as written.
bool isReplacedLiteral(const Token& t) noexcept {
  return isLiteralValue(t) && t.kind != TokenKind::Null && t.kind != TokenKind::Boolean;
}

bool isNumber(TokenKind kind) noexcept {
  return kind == TokenKind::Integer || kind == TokenKind::Decimal || kind == TokenKind::HexNumber ||
         kind == TokenKind::BitNumber;
}

bool isSign(const Token& t) noexcept {
  return t.kind == TokenKind::Operator && (t.text == "-" || t.text == "+");
}

// Keywords after which a sign is unary: "SELECT -1", "WHERE -a", "LIMIT -1", "THEN -2".
bool expectsOperandAfter(const Token& word) noexcept {
  static constexpr std::string_view kWords[] = {
      "SELECT", "DISTINCT", "WHERE",    "AND",  "OR",   "NOT",    "XOR",     "ON",
      "LIMIT",  "OFFSET",   "THEN",     "ELSE", "WHEN", "CASE",   "RETURN",  "IN",
      "LIKE",   "BETWEEN",  "INTERVAL", "DIV",  "MOD",  "HAVING", "DEFAULT", "REGEXP",
      "RLIKE",  "ESCAPE",   "ALL",      "ANY",  "SOME", "BY"};
  for (std::string_view w : kWords) {
    if (equalsKeyword(word.text, w)) return true;
  }
  return false;
}

class Normalizer {
 public:
  Normalizer(char* out, size_t limit, const DigestOptions& options) noexcept
      : out_(out), limit_(limit), options_(options) {}

  void run(std::string_view query) noexcept;
  size_t length() const noexcept { return len_; }
  bool truncated() const noexcept { return full_; }

 private:
  void process(const Token& t, FlatTokenizer& stream) noexcept;
  bool foldSignedNumber(FlatTokenizer& stream) noexcept;
  bool expectsOperand() const noexcept;
  bool keepNull() const noexcept;
  void emitValue(std::string_view piece, bool pure, bool neutral = false) noexcept;
  void emit(std::string_view piece) noexcept;
  void put(std::string_view s) noexcept;
  void openParen() noexcept;
  void closeParen() noexcept;
  void comma() noexcept;
  void push(FrameKind kind) noexcept;
  void finishItem(Frame& f) noexcept;
  void popFrame() noexcept;
  void closeAllFrames() noexcept;
  Frame* top() noexcept { return depth_ > 0 ? &frames_[depth_ - 1] : nullptr; }
  void remember(const Token& t) noexcept {
    prev2_ = prev_;
    prev_ = t;
  }

  char* out_;
  size_t limit_;
  const DigestOptions& options_;
  size_t len_ = 0;
  bool full_ = false;
  bool pendingSpace_ = false;
  // Offset before a trailing run of `;`, or npos: trailing semicolons are dropped at the end.
  size_t semicolonRunStart_ = std::string_view::npos;
  Token prev_{TokenKind::Semicolon, false, {}};  // last two significant input tokens
  Token prev2_{TokenKind::Semicolon, false, {}};
  // Frames beyond kMaxFrames are not tracked (untracked_ counts them); their contents are
  // simply never collapsed.
  static constexpr size_t kMaxFrames = 32;
  std::array<Frame, kMaxFrames> frames_{};
  size_t depth_ = 0;
  size_t untracked_ = 0;
};

void Normalizer::run(std::string_view query) noexcept {
  FlatTokenizer stream(query, options_.tokenizer);
  while (!full_) {
    const Token t = stream.next();
    if (t.kind == TokenKind::End) break;
    if (isSeparator(t.kind)) {
      pendingSpace_ = true;
      continue;
    }
    process(t, stream);
  }
  if (full_) return;
  closeAllFrames();
  if (semicolonRunStart_ != std::string_view::npos) len_ = semicolonRunStart_;
}

void Normalizer::process(const Token& t, FlatTokenizer& stream) noexcept {
  // A VALUES row list goes on while rows, ROW and commas follow; anything else ends it.
  Frame* f = top();
  if (f != nullptr && f->kind == FrameKind::ValuesList && t.kind != TokenKind::LeftParen &&
      t.kind != TokenKind::Comma && !isKeyword(t, "ROW")) {
    finishItem(*f);
    popFrame();
  }
  switch (t.kind) {
    case TokenKind::LeftParen:
      openParen();
      break;
    case TokenKind::RightParen:
      closeParen();
      break;
    case TokenKind::Comma:
      comma();
      break;
    case TokenKind::Semicolon:
      closeAllFrames();
      if (semicolonRunStart_ == std::string_view::npos) semicolonRunStart_ = len_;
      emit(";");
      remember(t);
      return;
    case TokenKind::Null:
      emitValue(options_.replaceNull && !keepNull() ? "?" : t.text, true);
      break;
    case TokenKind::Boolean:
    case TokenKind::Placeholder:
      emitValue(t.text, true);
      break;
    default:
      if (isReplacedLiteral(t)) {
        emitValue("?", true);
      } else if (isSign(t) && expectsOperand() && foldSignedNumber(stream)) {
        remember(Token{TokenKind::Integer, false, {}});
        return;
      } else {
        const bool row = isKeyword(t, "ROW");
        emitValue(t.text, isKeyword(t, "DEFAULT"), row);
        if (isKeyword(t, "VALUES") || isKeyword(t, "VALUE")) push(FrameKind::ValuesList);
      }
      break;
  }
  semicolonRunStart_ = std::string_view::npos;
  remember(t);
}

// Called at a sign where an operand is expected: if only signs stand between it and a number,
// consume them all and write one `?`.
bool Normalizer::foldSignedNumber(FlatTokenizer& stream) noexcept {
  FlatTokenizer ahead = stream;
  Token t = ahead.nextSignificant();
  while (isSign(t)) t = ahead.nextSignificant();
  if (!isNumber(t.kind)) return false;
  stream = ahead;
  emitValue("?", true);
  semicolonRunStart_ = std::string_view::npos;
  return true;
}

bool Normalizer::expectsOperand() const noexcept {
  switch (prev_.kind) {
    case TokenKind::Semicolon:
    case TokenKind::Operator:
    case TokenKind::LeftParen:
    case TokenKind::Comma:
      return true;
    case TokenKind::Word:
      return expectsOperandAfter(prev_);
    default:
      return false;
  }
}

bool Normalizer::keepNull() const noexcept {
  return isKeyword(prev_, "IS") || (isKeyword(prev_, "NOT") && isKeyword(prev2_, "IS"));
}

// Writes a token that belongs to the current list item. `pure` says whether it keeps the item
// literal-only; a `neutral` token (ROW) does not count either way.
void Normalizer::emitValue(std::string_view piece, bool pure, bool neutral) noexcept {
  emit(piece);
  Frame* f = top();
  if (f == nullptr || neutral) return;
  f->itemEmpty = false;
  if (!pure) f->itemPure = false;
}

void Normalizer::emit(std::string_view piece) noexcept {
  const char first = piece.empty() ? '\0' : piece.front();
  const char last = len_ > 0 ? out_[len_ - 1] : '(';
  if (pendingSpace_ && last != '(' && last != ',' && first != ')' && first != ',' && first != ';') {
    put(" ");
  }
  pendingSpace_ = false;
  put(piece);
}

// Copies as much as fits; a cut never splits a UTF-8 sequence.
void Normalizer::put(std::string_view s) noexcept {
  if (full_) return;
  const size_t room = limit_ - len_;
  size_t n = s.size();
  if (n > room) {
    n = room;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    full_ = true;
  }
  if (n > 0) std::memcpy(out_ + len_, s.data(), n);
  len_ += n;
}

void Normalizer::openParen() noexcept {
  const bool inList = isKeyword(prev_, "IN");
  emit("(");
  Frame* parent = top();
  if (parent != nullptr) parent->itemEmpty = false;
  if (depth_ == kMaxFrames || untracked_ > 0) {
    ++untracked_;
    if (parent != nullptr) parent->itemPure = false;
    return;
  }
  push(inList ? FrameKind::InList : FrameKind::Tuple);
}

void Normalizer::closeParen() noexcept {
  if (untracked_ > 0) {
    --untracked_;
    emit(")");
    return;
  }
  Frame* f = top();
  if (f == nullptr) {
    emit(")");
    return;
  }
  finishItem(*f);
  emit(")");
  popFrame();
}

void Normalizer::comma() noexcept {
  Frame* f = top();
  if (f == nullptr || untracked_ > 0) {
    emit(",");
    return;
  }
  finishItem(*f);
  f->itemStart = len_;
  emit(",");
  f->itemPure = true;
  f->itemEmpty = true;
}

void Normalizer::push(FrameKind kind) noexcept {
  if (depth_ == kMaxFrames) return;
  frames_[depth_++] = Frame{kind, true, true, true, false, false, len_};
}

void Normalizer::finishItem(Frame& f) noexcept {
  const bool pure = f.itemPure && !f.itemEmpty;
  if (f.kind != FrameKind::Tuple && pure && f.prevItemPure) {
    len_ = f.itemStart;
    if (!f.markerWritten) put(",...");
    f.markerWritten = true;
  } else if (!pure) {
    f.markerWritten = false;
  }
  f.prevItemPure = pure;
  f.allPure = f.allPure && pure;
}

// A list that is not literal-only makes the item that contains it not literal-only.
void Normalizer::popFrame() noexcept {
  if (depth_ == 0) return;
  const bool pure = frames_[--depth_].allPure;
  if (Frame* parent = top(); parent != nullptr && !pure) parent->itemPure = false;
}

void Normalizer::closeAllFrames() noexcept {
  while (Frame* f = top()) {
    finishItem(*f);
    popFrame();
  }
  untracked_ = 0;
}

}  // namespace

DigestResult computeDigest(std::string_view query, char* out, size_t outCapacity,
                           const DigestOptions& options) noexcept {
  const size_t limit = out == nullptr ? 0 : std::min(outCapacity, options.maxLength);
  Normalizer normalizer(out, limit, options);
  normalizer.run(query);
  DigestResult result;
  result.text = std::string_view(out, normalizer.length());
  result.hash = digestHash(result.text);
  result.truncated = normalizer.truncated();
  return result;
}

DigestResult computeDigest(std::string_view query, std::string& out, const DigestOptions& options) {
  // resize() only allocates when the capacity is too small; steady state reuses it.
  out.resize(digestBufferSize(query.size(), options.maxLength));
  DigestResult result = computeDigest(query, out.data(), out.size(), options);
  out.resize(result.text.size());
  result.text = out;
  return result;
}

}  // namespace rwproxy::sql

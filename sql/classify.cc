// Classification in two steps over one token stream: the head (a few leading keywords, or the
// SET assignment list) decides the kind; then one scan of the whole text collects the flags,
// resolves WITH to its main statement, detects locking reads and counts statements.
#include "sql/classify.h"

#include "sql/classify_set.h"
#include "sql/token_stream.h"

namespace rwproxy::sql {
namespace {

struct KeywordKind {
  std::string_view word;
  StatementKind kind;
};

// First keywords that decide the kind on their own.
constexpr KeywordKind kSimpleKinds[] = {
    {"SELECT", StatementKind::Select},
    {"TABLE", StatementKind::Select},
    {"VALUES", StatementKind::Select},
    {"INSERT", StatementKind::Insert},
    {"UPDATE", StatementKind::Update},
    {"DELETE", StatementKind::Delete},
    {"REPLACE", StatementKind::Replace},
    {"CREATE", StatementKind::Ddl},
    {"ALTER", StatementKind::Ddl},
    {"TRUNCATE", StatementKind::Ddl},
    {"RENAME", StatementKind::Ddl},
    {"COMMIT", StatementKind::Commit},
    {"SAVEPOINT", StatementKind::Savepoint},
    {"USE", StatementKind::Use},
    {"SHOW", StatementKind::Show},
    {"CALL", StatementKind::Call},
    {"LOCK", StatementKind::Lock},
    {"UNLOCK", StatementKind::Unlock},
    {"PREPARE", StatementKind::Prepare},
    {"EXECUTE", StatementKind::Execute},
    {"DEALLOCATE", StatementKind::Deallocate},
    {"WITH", StatementKind::With},
};

// Statements of kind Other that still modify data or grants.
constexpr std::string_view kOtherWrites[] = {"LOAD", "GRANT", "REVOKE", "OPTIMIZE", "REPAIR"};

bool isStatementEnd(const Token& t) noexcept {
  return t.kind == TokenKind::End || t.kind == TokenKind::Semicolon;
}

// BEGIN [WORK] starts a transaction; BEGIN NOT ATOMIC starts a MariaDB compound statement.
StatementKind headBegin(FlatTokenizer stream) noexcept {
  return isKeyword(stream.nextSignificant(), "NOT") ? StatementKind::Other : StatementKind::Begin;
}

// START TRANSACTION [READ ONLY | READ WRITE | WITH CONSISTENT SNAPSHOT], ...
StatementKind headStart(FlatTokenizer stream, Classification& c) noexcept {
  if (!isKeyword(stream.nextSignificant(), "TRANSACTION")) return StatementKind::Other;
  Token prev;
  for (Token t = stream.nextSignificant(); !isStatementEnd(t); t = stream.nextSignificant()) {
    if (isKeyword(prev, "READ") && isKeyword(t, "ONLY")) c.transactionReadOnly = true;
    prev = t;
  }
  return StatementKind::Begin;
}

// ROLLBACK [WORK] TO [SAVEPOINT] x rolls back to a savepoint; anything else ends the transaction.
StatementKind headRollback(FlatTokenizer stream) noexcept {
  Token t = stream.nextSignificant();
  if (isKeyword(t, "WORK")) t = stream.nextSignificant();
  return isKeyword(t, "TO") ? StatementKind::Savepoint : StatementKind::Rollback;
}

// FLUSH TABLES [t, ...] WITH READ LOCK holds a global lock like LOCK TABLES.
StatementKind headFlush(FlatTokenizer stream) noexcept {
  Token prev;
  for (Token t = stream.nextSignificant(); !isStatementEnd(t); t = stream.nextSignificant()) {
    if (isKeyword(prev, "READ") && isKeyword(t, "LOCK")) return StatementKind::Lock;
    prev = t;
  }
  return StatementKind::Other;
}

StatementKind classifyHead(const Token& first, FlatTokenizer& stream, Classification& c,
                           size_t& literalTargets, bool allowNested) noexcept;

// SET: MariaDB's SET STATEMENT var=value [, ...] FOR <statement> is classified by <statement>.
StatementKind headSet(FlatTokenizer& stream, Classification& c, size_t& literalTargets,
                      bool allowNested) noexcept {
  FlatTokenizer ahead = stream;
  if (allowNested && isKeyword(ahead.nextSignificant(), "STATEMENT")) {
    int depth = 0;
    for (Token t = ahead.nextSignificant(); !isStatementEnd(t); t = ahead.nextSignificant()) {
      if (t.kind == TokenKind::LeftParen) ++depth;
      if (t.kind == TokenKind::RightParen && depth > 0) --depth;
      if (depth == 0 && isKeyword(t, "FOR")) {
        const Token inner = ahead.nextSignificant();
        return classifyHead(inner, ahead, c, literalTargets, false);
      }
    }
    return StatementKind::Set;
  }
  const SetSummary set = parseSet(stream);
  c.autocommit = set.autocommit;
  literalTargets = set.literalUserVariableTargets;
  return set.kind;
}

// `first` is the first significant token (after leading `(`); `stream` is positioned after it.
StatementKind classifyHead(const Token& first, FlatTokenizer& stream, Classification& c,
                           size_t& literalTargets, bool allowNested) noexcept {
  if (first.kind != TokenKind::Word) return StatementKind::Other;
  for (const KeywordKind& k : kSimpleKinds) {
    if (equalsKeyword(first.text, k.word)) return k.kind;
  }
  if (isKeyword(first, "BEGIN")) return headBegin(stream);
  if (isKeyword(first, "START")) return headStart(stream, c);
  if (isKeyword(first, "ROLLBACK")) return headRollback(stream);
  if (isKeyword(first, "FLUSH")) return headFlush(stream);
  if (isKeyword(first, "SET")) return headSet(stream, c, literalTargets, allowNested);
  FlatTokenizer ahead = stream;
  const Token second = ahead.nextSignificant();
  if (isKeyword(first, "RELEASE")) {
    return isKeyword(second, "SAVEPOINT") ? StatementKind::Savepoint : StatementKind::Other;
  }
  if (isKeyword(first, "DROP")) {
    return isKeyword(second, "PREPARE") ? StatementKind::Deallocate : StatementKind::Ddl;
  }
  if (isKeyword(first, "EXPLAIN") || isKeyword(first, "DESCRIBE") || isKeyword(first, "DESC")) {
    // EXPLAIN ANALYZE runs the statement it explains.
    return isKeyword(second, "ANALYZE") ? StatementKind::Other : StatementKind::Show;
  }
  return StatementKind::Other;
}

// CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT bodies and BEGIN NOT ATOMIC contain `;` that do not
// end the statement. The object keyword comes within a few tokens (after DEFINER = u@h etc.).
bool isCompound(const Token& first, FlatTokenizer stream) noexcept {
  if (isKeyword(first, "BEGIN")) return isKeyword(stream.nextSignificant(), "NOT");
  if (!isKeyword(first, "CREATE")) return false;
  for (int i = 0; i < 12; ++i) {
    const Token t = stream.nextSignificant();
    if (isStatementEnd(t) || t.kind == TokenKind::LeftParen) return false;
    if (isKeyword(t, "PROCEDURE") || isKeyword(t, "FUNCTION") || isKeyword(t, "TRIGGER") ||
        isKeyword(t, "EVENT")) {
      return true;
    }
  }
  return false;
}

bool isMainStatementWord(const Token& t, StatementKind& kind) noexcept {
  static constexpr KeywordKind kMain[] = {{"SELECT", StatementKind::Select},
                                          {"INSERT", StatementKind::Insert},
                                          {"UPDATE", StatementKind::Update},
                                          {"DELETE", StatementKind::Delete},
                                          {"REPLACE", StatementKind::Replace}};
  if (t.kind != TokenKind::Word) return false;
  for (const KeywordKind& k : kMain) {
    if (equalsKeyword(t.text, k.word)) {
      kind = k.kind;
      return true;
    }
  }
  return false;
}

// The one scan over all statements. Remembers the last three significant tokens of the
// current statement for multi-word patterns (FOR UPDATE, LOCK IN SHARE MODE, GET_LOCK().
class FlagScanner {
 public:
  FlagScanner(Classification& c, bool compound) noexcept : c_(c), compound_(compound) {}
  void scan(FlatTokenizer stream) noexcept;
  size_t userVariables() const noexcept { return userVariables_; }

 private:
  void onToken(const Token& t) noexcept;
  void onWord(const Token& t) noexcept;

  Classification& c_;
  bool compound_;
  size_t statement_ = 0;
  size_t indexInStatement_ = 0;
  int depth_ = 0;
  bool afterSemicolon_ = false;
  bool afterInto_ = false;
  size_t userVariables_ = 0;
  Token first_, p1_, p2_, p3_;
};

void FlagScanner::scan(FlatTokenizer stream) noexcept {
  for (Token t = stream.nextSignificant(); t.kind != TokenKind::End; t = stream.nextSignificant()) {
    if (t.kind == TokenKind::Semicolon && !compound_) {
      afterSemicolon_ = true;
      continue;
    }
    if (afterSemicolon_) {
      c_.hasMultipleStatements = true;
      afterSemicolon_ = false;
      ++statement_;
      indexInStatement_ = 0;
      depth_ = 0;
      p1_ = p2_ = p3_ = Token{};
    }
    if (indexInStatement_ == 0) first_ = t;
    onToken(t);
    p3_ = p2_;
    p2_ = p1_;
    p1_ = t;
    ++indexInStatement_;
  }
}

void FlagScanner::onToken(const Token& t) noexcept {
  if (p1_.kind == TokenKind::LeftParen && isKeyword(p2_, "LAST_INSERT_ID") &&
      t.kind != TokenKind::RightParen) {
    c_.setsLastInsertId = true;
  }
  // SELECT ... INTO @a, @b: the targets follow INTO, separated by commas.
  const bool intoList =
      afterInto_ && (t.kind == TokenKind::UserVariable || t.kind == TokenKind::Comma);
  afterInto_ = intoList || isKeyword(t, "INTO");
  switch (t.kind) {
    case TokenKind::UserVariable:
      ++userVariables_;
      if (afterInto_) c_.assignsUserVariables = true;
      break;
    case TokenKind::Operator:
      if (p1_.kind == TokenKind::UserVariable && t.text == ":=") c_.assignsUserVariables = true;
      break;
    case TokenKind::SystemVariable: {
      std::string_view name = t.text.substr(2);
      if (const size_t dot = name.find('.'); dot != std::string_view::npos) {
        name = name.substr(dot + 1);
      }
      if (equalsKeyword(name, "IDENTITY") || equalsKeyword(name, "LAST_INSERT_ID")) {
        c_.usesLastInsertId = true;
      }
      break;
    }
    case TokenKind::LeftParen:
      ++depth_;
      if (isKeyword(p1_, "FOUND_ROWS")) c_.usesFoundRows = true;
      if (isKeyword(p1_, "LAST_INSERT_ID")) c_.usesLastInsertId = true;
      if (isKeyword(p1_, "GET_LOCK")) c_.usesGetLock = true;
      break;
    case TokenKind::RightParen:
      if (depth_ > 0) --depth_;
      break;
    case TokenKind::Word:
      onWord(t);
      break;
    default:
      break;
  }
}

void FlagScanner::onWord(const Token& t) noexcept {
  if (isKeyword(t, "SQL_CALC_FOUND_ROWS")) c_.usesSqlCalcFoundRows = true;
  if (isKeyword(t, "TEMPORARY") && isKeyword(first_, "CREATE") && indexInStatement_ <= 3) {
    c_.createsTemporaryTable = true;
  }
  if (statement_ != 0) return;
  StatementKind main;
  if (c_.kind == StatementKind::With && depth_ == 0 && isMainStatementWord(t, main)) {
    c_.kind = main;
    return;
  }
  if (c_.kind != StatementKind::Select) return;
  const bool forLock = isKeyword(p1_, "FOR") && (isKeyword(t, "UPDATE") || isKeyword(t, "SHARE"));
  const bool shareMode = isKeyword(t, "MODE") && isKeyword(p1_, "SHARE") && isKeyword(p2_, "IN") &&
                         isKeyword(p3_, "LOCK");
  if (forLock || shareMode) c_.kind = StatementKind::LockingRead;
}

bool isOtherWrite(const Token& first) noexcept {
  for (std::string_view w : kOtherWrites) {
    if (isKeyword(first, w)) return true;
  }
  return false;
}

void deriveFlags(Classification& c, const Token& first) noexcept {
  using K = StatementKind;
  const K k = c.kind;
  c.isRead = k == K::Select || k == K::Show;
  c.isWrite = k == K::Insert || k == K::Update || k == K::Delete || k == K::Replace ||
              k == K::Ddl || k == K::LockingRead || k == K::Call || k == K::With ||
              (k == K::Other && isOtherWrite(first));
  c.isTransactionControl = k == K::Begin || k == K::Commit || k == K::Rollback ||
                           k == K::Savepoint || k == K::SetTransaction || k == K::SetAutocommit ||
                           c.autocommit.has_value();
}

}  // namespace

Classification classify(std::string_view query, TokenizerOptions options) noexcept {
  Classification c;
  FlatTokenizer stream(query, options);
  Token first = stream.nextSignificant();
  while (first.kind == TokenKind::LeftParen) first = stream.nextSignificant();
  const bool compound = isCompound(first, stream);
  size_t literalTargets = 0;
  c.kind = classifyHead(first, stream, c, literalTargets, true);
  FlagScanner scanner(c, compound);
  scanner.scan(FlatTokenizer(query, options));
  c.usesUserVariables = scanner.userVariables() > 0;
  c.userVariablesLiteralOnly = c.usesUserVariables && scanner.userVariables() == literalTargets;
  deriveFlags(c, first);
  return c;
}

std::string_view statementKindName(StatementKind kind) noexcept {
  switch (kind) {
    case StatementKind::Select:
      return "Select";
    case StatementKind::LockingRead:
      return "LockingRead";
    case StatementKind::Insert:
      return "Insert";
    case StatementKind::Update:
      return "Update";
    case StatementKind::Delete:
      return "Delete";
    case StatementKind::Replace:
      return "Replace";
    case StatementKind::Ddl:
      return "Ddl";
    case StatementKind::Begin:
      return "Begin";
    case StatementKind::Commit:
      return "Commit";
    case StatementKind::Rollback:
      return "Rollback";
    case StatementKind::Savepoint:
      return "Savepoint";
    case StatementKind::SetAutocommit:
      return "SetAutocommit";
    case StatementKind::SetTransaction:
      return "SetTransaction";
    case StatementKind::Set:
      return "Set";
    case StatementKind::Use:
      return "Use";
    case StatementKind::Show:
      return "Show";
    case StatementKind::Call:
      return "Call";
    case StatementKind::Lock:
      return "Lock";
    case StatementKind::Unlock:
      return "Unlock";
    case StatementKind::Prepare:
      return "Prepare";
    case StatementKind::Execute:
      return "Execute";
    case StatementKind::Deallocate:
      return "Deallocate";
    case StatementKind::With:
      return "With";
    case StatementKind::Other:
      return "Other";
  }
  return "Other";
}

}  // namespace rwproxy::sql

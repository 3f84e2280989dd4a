#include "proxy/session/statement_hints.h"

#include <array>
#include <cctype>
#include <charconv>

#include "sql/classify.h"
#include "sql/token_stream.h"

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

sql::Token nextToken(sql::FlatTokenizer& t) { return t.nextSignificant(); }

bool isLastInsertIdVariable(std::string_view text) {
  std::string_view name = text.substr(2);
  if (size_t dot = name.find('.'); dot != std::string_view::npos) {
    if (!iequals(name.substr(0, dot), "SESSION")) {
      return false;
    }
    name = name.substr(dot + 1);
  }
  return iequals(name, "IDENTITY") || iequals(name, "LAST_INSERT_ID");
}

// SELECT LAST_INSERT_ID() | @@identity | @@last_insert_id [[AS] alias] [;]
bool isLastInsertIdQuery(std::string_view q, StatementHints& h) {
  sql::FlatTokenizer tokens(q);
  if (!sql::isKeyword(nextToken(tokens), "SELECT")) {
    return false;
  }
  sql::Token t = nextToken(tokens);
  const char* start = t.text.data();
  if (sql::isKeyword(t, "LAST_INSERT_ID")) {
    if (nextToken(tokens).kind != sql::TokenKind::LeftParen) {
      return false;
    }
    t = nextToken(tokens);
    if (t.kind != sql::TokenKind::RightParen) {
      return false;
    }
  } else if (t.kind != sql::TokenKind::SystemVariable || !isLastInsertIdVariable(t.text)) {
    return false;
  }
  h.columnName =
      std::string_view(start, static_cast<size_t>(t.text.data() + t.text.size() - start));
  t = nextToken(tokens);
  if (sql::isKeyword(t, "AS")) {
    t = nextToken(tokens);
  }
  if (t.kind == sql::TokenKind::Word || t.kind == sql::TokenKind::QuotedIdentifier ||
      t.kind == sql::TokenKind::String) {
    if (t.unterminated || sql::isKeyword(t, "FROM") || sql::isKeyword(t, "INTO")) {
      return false;
    }
    h.columnName = t.kind == sql::TokenKind::Word ? t.text : t.text.substr(1, t.text.size() - 2);
    if (h.columnName.find_first_of("`'\\") != std::string_view::npos) {
      return false;  // an escaped quote: not worth unescaping
    }
    t = nextToken(tokens);
  }
  if (t.kind == sql::TokenKind::Semicolon) {
    t = nextToken(tokens);
  }
  return t.kind == sql::TokenKind::End;
}

}  // namespace

// Everything but USE and KILL: what sql::classify says about the state a statement leaves.
static StatementHints classifyState(std::string_view q) {
  StatementHints h;
  sql::Classification c = sql::classify(q);
  h.isSet = c.kind == sql::StatementKind::Set;
  h.usesLastInsertId = c.usesLastInsertId;
  if (c.hasMultipleStatements) {
    h.reason = "multi_statement";
  } else if (c.assignsUserVariables || (c.usesUserVariables && h.isSet)) {
    // Reading a user variable is fine on any connection: the client's replayable variables
    // are synced before each statement, and the others pin when they are set.
    h.reason = "user_variable";
  } else if (c.setsLastInsertId) {
    h.reason = "last_insert_id";
  } else if (c.createsTemporaryTable) {
    h.reason = "temporary_table";
  } else if (c.usesGetLock) {
    h.reason = "get_lock";
  } else if (c.usesSqlCalcFoundRows || c.usesFoundRows) {
    h.reason = "found_rows";
  } else {
    switch (c.kind) {
      case sql::StatementKind::Select:
      case sql::StatementKind::LockingRead:
      case sql::StatementKind::Insert:
      case sql::StatementKind::Update:
      case sql::StatementKind::Delete:
      case sql::StatementKind::Replace:
      case sql::StatementKind::Ddl:
      case sql::StatementKind::Show:
        h.kind = StatementHints::Kind::Stateless;
        h.watchStateChange = true;
        h.isRead = c.isRead &&
                   (c.kind == sql::StatementKind::Select || c.kind == sql::StatementKind::Show);
        return h;
      // Transaction state is read from the server's status flags after each reply.
      case sql::StatementKind::Begin:
      case sql::StatementKind::Commit:
      case sql::StatementKind::Rollback:
      case sql::StatementKind::Savepoint:
      case sql::StatementKind::SetAutocommit:
        h.kind = StatementHints::Kind::Stateless;
        return h;
      case sql::StatementKind::SetTransaction:
      case sql::StatementKind::Set:
        h.reason = "set_statement";
        return h;
      case sql::StatementKind::Lock:
      case sql::StatementKind::Unlock:
        h.reason = "lock_tables";
        return h;
      case sql::StatementKind::Prepare:
      case sql::StatementKind::Execute:
      case sql::StatementKind::Deallocate:
        h.reason = "prepared_statement";
        return h;
      case sql::StatementKind::Call:
        h.reason = "stored_procedure";
        return h;
      case sql::StatementKind::Use:
      case sql::StatementKind::With:
      case sql::StatementKind::Other:
        return h;
    }
  }
  return h;
}

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
  if (iequals(verb, "SELECT") && isLastInsertIdQuery(q, h)) {
    h.kind = StatementHints::Kind::LastInsertId;
    return h;
  }
  return classifyState(q);
}

}  // namespace rwproxy::session

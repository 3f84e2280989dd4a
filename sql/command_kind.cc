#include "sql/command_kind.h"

#include <span>

#include "sql/token_stream.h"

namespace rwproxy::sql {
namespace {

struct KeywordCommand {
  std::string_view word;
  CommandKind kind;
};

using Table = std::span<const KeywordCommand>;

// First keywords that decide the command on their own.
constexpr KeywordCommand kFirstWords[] = {
    {"SELECT", CommandKind::Select},
    {"TABLE", CommandKind::Select},
    {"VALUES", CommandKind::Select},
    {"WITH", CommandKind::Select},
    {"INSERT", CommandKind::Insert},
    {"UPDATE", CommandKind::Update},
    {"DELETE", CommandKind::Delete},
    {"REPLACE", CommandKind::Replace},
    {"CALL", CommandKind::Call},
    {"BEGIN", CommandKind::Begin},
    {"COMMIT", CommandKind::Commit},
    {"ROLLBACK", CommandKind::Rollback},
    {"SAVEPOINT", CommandKind::Savepoint},
    {"RELEASE", CommandKind::Savepoint},
    {"SET", CommandKind::Set},
    {"USE", CommandKind::Use},
    {"DESCRIBE", CommandKind::Describe},
    {"DESC", CommandKind::Describe},
    {"EXPLAIN", CommandKind::Explain},
    {"PREPARE", CommandKind::Prepare},
    {"EXECUTE", CommandKind::Execute},
    {"DEALLOCATE", CommandKind::Deallocate},
    {"GRANT", CommandKind::Grant},
    {"REVOKE", CommandKind::Revoke},
    {"KILL", CommandKind::Kill},
    {"LOAD", CommandKind::Load},
    {"OPTIMIZE", CommandKind::Optimize},
    {"ANALYZE", CommandKind::AnalyzeTable},
    {"FLUSH", CommandKind::Flush},
    {"PURGE", CommandKind::Purge},
    {"TRUNCATE", CommandKind::TruncateTable},
};

// The object keyword after CREATE / ALTER / DROP (past OR REPLACE, DEFINER = ..., UNIQUE, ...).
constexpr KeywordCommand kCreateObjects[] = {
    {"DATABASE", CommandKind::CreateDatabase},
    {"SCHEMA", CommandKind::CreateDatabase},
    {"TEMPORARY", CommandKind::CreateTemporary},
    {"TABLE", CommandKind::CreateTable},
    {"INDEX", CommandKind::CreateIndex},
    {"TRIGGER", CommandKind::CreateTrigger},
    {"USER", CommandKind::CreateUser},
    {"VIEW", CommandKind::CreateView},
    {"PROCEDURE", CommandKind::Unknown},
    {"FUNCTION", CommandKind::Unknown},
    {"EVENT", CommandKind::Unknown},
    {"ROLE", CommandKind::Unknown},
    {"SEQUENCE", CommandKind::Unknown},
    {"SERVER", CommandKind::Unknown},
};
constexpr KeywordCommand kAlterObjects[] = {
    {"TABLE", CommandKind::AlterTable},   {"VIEW", CommandKind::AlterView},
    {"DATABASE", CommandKind::Unknown},   {"SCHEMA", CommandKind::Unknown},
    {"USER", CommandKind::Unknown},       {"PROCEDURE", CommandKind::Unknown},
    {"FUNCTION", CommandKind::Unknown},   {"EVENT", CommandKind::Unknown},
    {"SEQUENCE", CommandKind::Unknown},   {"SERVER", CommandKind::Unknown},
    {"TABLESPACE", CommandKind::Unknown},
};
constexpr KeywordCommand kDropObjects[] = {
    {"DATABASE", CommandKind::DropDatabase}, {"SCHEMA", CommandKind::DropDatabase},
    {"TEMPORARY", CommandKind::DropTable},   {"TABLE", CommandKind::DropTable},
    {"INDEX", CommandKind::DropIndex},       {"TRIGGER", CommandKind::DropTrigger},
    {"USER", CommandKind::DropUser},         {"VIEW", CommandKind::DropView},
    {"PREPARE", CommandKind::Deallocate},
};
// Commands told apart by their second keyword.
constexpr KeywordCommand kStartObjects[] = {{"TRANSACTION", CommandKind::StartTransaction}};
constexpr KeywordCommand kLockObjects[] = {{"TABLE", CommandKind::LockTable},
                                           {"TABLES", CommandKind::LockTable}};
constexpr KeywordCommand kUnlockObjects[] = {{"TABLE", CommandKind::UnlockTables},
                                             {"TABLES", CommandKind::UnlockTables}};
constexpr KeywordCommand kRenameObjects[] = {{"TABLE", CommandKind::RenameTable}};
constexpr KeywordCommand kResetObjects[] = {{"MASTER", CommandKind::ResetMaster},
                                            {"SLAVE", CommandKind::ResetSlave},
                                            {"REPLICA", CommandKind::ResetSlave}};
constexpr KeywordCommand kChangeObjects[] = {{"MASTER", CommandKind::ChangeMaster}};

// Keywords after which the object keyword is looked for, and how many tokens may come first.
struct Compound {
  std::string_view word;
  Table objects;
  int lookahead;
};
constexpr Compound kCompounds[] = {
    // CREATE [OR REPLACE] [ALGORITHM = x] [DEFINER = u@h] [SQL SECURITY x] VIEW ...
    {"CREATE", kCreateObjects, 16}, {"ALTER", kAlterObjects, 16}, {"DROP", kDropObjects, 1},
    {"START", kStartObjects, 1},    {"LOCK", kLockObjects, 1},    {"UNLOCK", kUnlockObjects, 1},
    {"RENAME", kRenameObjects, 1},  {"RESET", kResetObjects, 1},  {"CHANGE", kChangeObjects, 1},
};

const KeywordCommand* find(Table table, const Token& token) noexcept {
  if (token.kind != TokenKind::Word) return nullptr;
  for (const auto& entry : table) {
    if (equalsKeyword(token.text, entry.word)) return &entry;
  }
  return nullptr;
}

// The first of the next `lookahead` tokens that names an object of `objects`.
CommandKind objectKind(FlatTokenizer& stream, Table objects, int lookahead) noexcept {
  for (int i = 0; i < lookahead; ++i) {
    Token t = stream.nextSignificant();
    if (t.kind == TokenKind::End || t.kind == TokenKind::Semicolon) break;
    if (const KeywordCommand* hit = find(objects, t)) return hit->kind;
  }
  return CommandKind::Unknown;
}

// SHOW TABLE STATUS has its own row; every other SHOW shares one.
CommandKind showKind(FlatTokenizer stream) noexcept {
  if (!isKeyword(stream.nextSignificant(), "TABLE")) return CommandKind::Show;
  return isKeyword(stream.nextSignificant(), "STATUS") ? CommandKind::ShowTableStatus
                                                       : CommandKind::Show;
}

constexpr std::string_view kNames[kCommandKindCount] = {
    "",
    "ALTER_TABLE",
    "ALTER_VIEW",
    "ANALYZE_TABLE",
    "BEGIN",
    "CALL",
    "CHANGE_MASTER",
    "COMMIT",
    "CREATE_DATABASE",
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMPORARY",
    "CREATE_TRIGGER",
    "CREATE_USER",
    "CREATE_VIEW",
    "DEALLOCATE",
    "DELETE",
    "DESCRIBE",
    "DROP_DATABASE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TRIGGER",
    "DROP_USER",
    "DROP_VIEW",
    "GRANT",
    "EXECUTE",
    "EXPLAIN",
    "FLUSH",
    "INSERT",
    "KILL",
    "LOAD",
    "LOCK_TABLE",
    "OPTIMIZE",
    "PREPARE",
    "PURGE",
    "RENAME_TABLE",
    "RESET_MASTER",
    "RESET_SLAVE",
    "REPLACE",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "SHOW_TABLE_STATUS",
    "START_TRANSACTION",
    "TRUNCATE_TABLE",
    "UNLOCK_TABLES",
    "UPDATE",
    "USE",
    "SHOW",
    "UNKNOWN",
};

}  // namespace

CommandKind commandKindOf(std::string_view query) noexcept {
  FlatTokenizer stream(query);
  Token first = stream.nextSignificant();
  while (first.kind == TokenKind::LeftParen) {
    first = stream.nextSignificant();  // (SELECT ...) UNION (SELECT ...)
  }
  if (const KeywordCommand* hit = find(kFirstWords, first)) {
    return hit->kind;
  }
  if (isKeyword(first, "SHOW")) {
    return showKind(stream);
  }
  for (const Compound& c : kCompounds) {
    if (isKeyword(first, c.word)) {
      return objectKind(stream, c.objects, c.lookahead);
    }
  }
  return CommandKind::Unknown;
}

std::string_view commandName(CommandKind kind) noexcept {
  return kNames[static_cast<size_t>(kind)];
}

}  // namespace rwproxy::sql

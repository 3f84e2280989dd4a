#include "proxy/session/stmt_registry.h"

namespace rwproxy::session {

std::string StmtRegistry::keyOf(std::string_view user, std::string_view schema, bool deprecateEof,
                                std::string_view query) {
  std::string key;  // schemaOf() reads it back
  key.reserve(user.size() + schema.size() + query.size() + 3);
  key.append(user).push_back('\0');
  key.append(schema).push_back('\0');
  key.push_back(deprecateEof ? '1' : '0');
  key.append(query);
  return key;
}

std::string_view StmtRegistry::schemaOf(std::string_view key) {
  size_t user = key.find('\0');
  size_t end = user == std::string_view::npos ? user : key.find('\0', user + 1);
  return end == std::string_view::npos ? std::string_view() : key.substr(user + 1, end - user - 1);
}

PreparedStatementPtr StmtRegistry::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return nullptr;
  }
  it->second.lastUse = ++clock_;
  return it->second.statement;
}

PreparedStatementPtr StmtRegistry::add(std::string key, std::string_view query, uint16_t numParams,
                                       uint16_t numColumns, std::string prepareReply) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.lastUse = ++clock_;
    return it->second.statement;
  }
  if (entries_.size() >= maxEntries_ && !evictOne()) {
    return nullptr;
  }
  auto statement = std::make_shared<PreparedStatement>();
  statement->id = nextId_++;
  statement->schema = schemaOf(key);
  statement->query.assign(query);
  statement->numParams = numParams;
  statement->numColumns = numColumns;
  statement->prepareReply = std::move(prepareReply);
  memoryBytes_ += statement->memoryBytes() + key.capacity();  // the map keeps the key
  Entry& entry = entries_[std::move(key)];
  entry.statement = statement;
  entry.lastUse = ++clock_;
  return statement;
}

bool StmtRegistry::evictOne() {
  // A statement only the registry holds (use_count 1) cannot gain a holder meanwhile: that
  // takes find() or add(), which need the lock we hold.
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.statement.use_count() == 1 &&
        (victim == entries_.end() || it->second.lastUse < victim->second.lastUse)) {
      victim = it;
    }
  }
  if (victim == entries_.end()) {
    return false;
  }
  memoryBytes_ -= victim->second.statement->memoryBytes() + victim->first.capacity();
  entries_.erase(victim);
  return true;
}

size_t StmtRegistry::entries() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t StmtRegistry::memoryBytes() {
  std::lock_guard lock(mutex_);
  return memoryBytes_;
}

}  // namespace rwproxy::session

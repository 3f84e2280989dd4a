#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rwproxy::session {

// One server-side prepared statement as the proxy knows it: the text and the server's answer
// to COM_STMT_PREPARE. Immutable once registered, shared by every session that prepared the
// same text (same user, schema and EOF flavour) and prepared lazily on each backend connection
// that executes it.
struct PreparedStatement {
  uint64_t id = 0;  // proxy-wide, never reused: backend connections map it to their own ids
  // The schema it was prepared in: a server runs a statement there, whatever the connection's
  // current schema, so a connection preparing it again must be on it.
  std::string schema;
  std::string query;
  uint16_t numParams = 0;
  uint16_t numColumns = 0;
  // The server's reply (framed packets, sequence ids from 1) with the statement id zeroed:
  // a later prepare of the same text is answered from here, without a server.
  std::string prepareReply;

  size_t memoryBytes() const {
    return sizeof(PreparedStatement) + schema.capacity() + query.capacity() +
           prepareReply.capacity();
  }
};

using PreparedStatementPtr = std::shared_ptr<const PreparedStatement>;

// The proxy-wide registry of prepared statements. Bounded: when full, the least recently
// prepared statement no session holds any more goes. Thread-safe; the lock is taken on
// COM_STMT_PREPARE only, never on execute.
class StmtRegistry {
 public:
  explicit StmtRegistry(size_t maxEntries = 100000) : maxEntries_(maxEntries) {}

  // The schema part of a key made by keyOf ("" for any other string).
  static std::string_view schemaOf(std::string_view key);
  static std::string keyOf(std::string_view user, std::string_view schema, bool deprecateEof,
                           std::string_view query);

  // The registered statement with this key, or nullptr.
  PreparedStatementPtr find(const std::string& key);
  // Registers what a server answered; returns the registered statement (an earlier one when
  // another session won the race), or nullptr when the registry is full of statements in use.
  PreparedStatementPtr add(std::string key, std::string_view query, uint16_t numParams,
                           uint16_t numColumns, std::string prepareReply);

  size_t entries();
  size_t memoryBytes();

 private:
  struct Entry {
    std::shared_ptr<PreparedStatement> statement;
    uint64_t lastUse = 0;
  };
  bool evictOne();  // REQUIRES: mutex_ held

  std::mutex mutex_;
  size_t maxEntries_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  uint64_t clock_ = 0;                              // GUARDED_BY(mutex_)
  uint64_t nextId_ = 1;                             // GUARDED_BY(mutex_)
  size_t memoryBytes_ = 0;                          // GUARDED_BY(mutex_)
};

}  // namespace rwproxy::session

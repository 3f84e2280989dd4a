#pragma once

#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

namespace rwproxy::test {

using Row = std::vector<std::optional<std::string>>;

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

struct ConnectOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string user;
  std::string password;
  std::string database;
  bool multiStatements = false;
  unsigned timeoutSeconds = 30;
};

// A libmariadb connection for tests: the real client library, blocking calls, errors kept
// for assertions rather than thrown (tests check the error code and text).
class MysqlClient {
 public:
  MysqlClient();
  ~MysqlClient();
  MysqlClient(const MysqlClient&) = delete;
  MysqlClient& operator=(const MysqlClient&) = delete;

  bool connect(const ConnectOptions& options);

  // Runs one statement (or several with multiStatements) and returns the last result set
  // (empty for statements without one); std::nullopt on error, see errorCode()/errorText().
  std::optional<ResultSet> query(const std::string& sql);
  // Every result set of a multi-statement query, in order.
  std::optional<std::vector<ResultSet>> queryAll(const std::string& sql);
  // First column of the first row; throws std::runtime_error on error or no row.
  std::string scalar(const std::string& sql);
  // Runs sql and throws std::runtime_error with the server's message when it fails.
  void exec(const std::string& sql);

  unsigned errorCode() const { return errorCode_; }
  const std::string& errorText() const { return errorText_; }
  MYSQL* handle() { return mysql_; }

 private:
  void recordError();
  std::optional<ResultSet> readResult();

  MYSQL* mysql_;
  unsigned errorCode_ = 0;
  std::string errorText_;
};

// Connects as root to a cluster server port; throws on failure.
void connectRoot(MysqlClient& client, int port);
// Connects as the application user to any port (a server or the proxy); throws on failure.
void connectApp(MysqlClient& client, int port, const std::string& database = "");

}  // namespace rwproxy::test

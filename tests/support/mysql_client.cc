#include "tests/support/mysql_client.h"

#include <stdexcept>

#include "tests/support/cluster_env.h"

namespace rwproxy::test {

MysqlClient::MysqlClient() : mysql_(mysql_init(nullptr)) {
  if (mysql_ == nullptr) {
    throw std::runtime_error("mysql_init failed");
  }
}

MysqlClient::~MysqlClient() { mysql_close(mysql_); }

void MysqlClient::recordError() {
  errorCode_ = mysql_errno(mysql_);
  errorText_ = mysql_error(mysql_);
}

bool MysqlClient::connect(const ConnectOptions& options) {
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &options.timeoutSeconds);
  mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &options.timeoutSeconds);
  mysql_optionsv(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &options.timeoutSeconds);
  unsigned long flags = options.multiStatements ? CLIENT_MULTI_STATEMENTS : 0;
  const char* db = options.database.empty() ? nullptr : options.database.c_str();
  if (mysql_real_connect(mysql_, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), db, static_cast<unsigned>(options.port), nullptr,
                         flags) == nullptr) {
    recordError();
    return false;
  }
  errorCode_ = 0;
  errorText_.clear();
  return true;
}

std::optional<ResultSet> MysqlClient::readResult() {
  MYSQL_RES* res = mysql_store_result(mysql_);
  ResultSet out;
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) {
      recordError();
      return std::nullopt;
    }
    return out;
  }
  unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) {
    out.columns.emplace_back(fields[i].name);
  }
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row r;
    for (unsigned i = 0; i < n; ++i) {
      if (row[i] == nullptr) {
        r.emplace_back(std::nullopt);
      } else {
        r.emplace_back(std::string(row[i], lengths[i]));
      }
    }
    out.rows.push_back(std::move(r));
  }
  mysql_free_result(res);
  return out;
}

std::optional<std::vector<ResultSet>> MysqlClient::queryAll(const std::string& sql) {
  errorCode_ = 0;
  errorText_.clear();
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    recordError();
    return std::nullopt;
  }
  std::vector<ResultSet> results;
  for (;;) {
    auto result = readResult();
    if (!result) {
      return std::nullopt;
    }
    results.push_back(std::move(*result));
    int next = mysql_next_result(mysql_);
    if (next == -1) {
      break;
    }
    if (next > 0) {
      recordError();
      return std::nullopt;
    }
  }
  return results;
}

std::optional<ResultSet> MysqlClient::query(const std::string& sql) {
  auto all = queryAll(sql);
  if (!all) {
    return std::nullopt;
  }
  return std::move(all->back());
}

std::string MysqlClient::scalar(const std::string& sql) {
  auto result = query(sql);
  if (!result) {
    throw std::runtime_error("query failed: " + sql + ": " + errorText_);
  }
  if (result->rows.empty() || result->rows[0].empty() || !result->rows[0][0]) {
    throw std::runtime_error("query returned no value: " + sql);
  }
  return *result->rows[0][0];
}

void MysqlClient::exec(const std::string& sql) {
  if (!queryAll(sql)) {
    throw std::runtime_error("query failed: " + sql + ": " + errorText_);
  }
}

void connectRoot(MysqlClient& client, int port) {
  const auto& env = ClusterEnv::get();
  ConnectOptions options;
  options.port = port;
  options.user = env.value("ROOT_USER");
  options.password = env.value("ROOT_PASSWORD");
  if (!client.connect(options)) {
    throw std::runtime_error("cannot connect as root to port " + std::to_string(port) + ": " +
                             client.errorText());
  }
}

void connectApp(MysqlClient& client, int port, const std::string& database) {
  const auto& env = ClusterEnv::get();
  ConnectOptions options;
  options.port = port;
  options.user = env.value("APP_USER");
  options.password = env.value("APP_PASSWORD");
  options.database = database;
  if (!client.connect(options)) {
    throw std::runtime_error("cannot connect as app to port " + std::to_string(port) + ": " +
                             client.errorText());
  }
}

}  // namespace rwproxy::test

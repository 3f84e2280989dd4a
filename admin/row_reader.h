#pragma once

// Reads typed values out of one row of a config table and remembers the first problem, with a
// message naming the table, the row's primary key and the column. Values in SQLite are
// dynamically typed ('abc' passes "port >= 0"), so every integer is parsed strictly here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/reply.h"
#include "admin/status.h"

namespace rwproxy::admin {

class RowReader {
 public:
  // REQUIRES: rs outlives the reader; `key` are the primary key columns naming the row.
  RowReader(std::string_view table, const ResultSet& rs, const Row& row,
            std::vector<std::string_view> key);

  int64_t integer(std::string_view column, int64_t min, int64_t max);
  std::optional<int64_t> optInteger(std::string_view column, int64_t min, int64_t max);
  bool flag(std::string_view column) { return integer(column, 0, 1) != 0; }
  std::optional<std::string> optText(std::string_view column);
  std::string text(std::string_view column) { return optText(column).value_or(""); }

  // Records a problem with a column (the first one wins).
  void fail(std::string_view column, std::string_view problem);
  bool ok() const { return !failure_.has_value(); }
  // REQUIRES: !ok()
  const Failure& failure() const { return *failure_; }
  // "mysql_servers row (hostgroup_id=1, hostname='db1', port=3306)"
  std::string rowName() const;

 private:
  const std::optional<std::string>* cell(std::string_view column);

  std::string_view table_;
  const ResultSet& rs_;
  const Row& row_;
  std::vector<std::string_view> key_;
  std::optional<Failure> failure_;
};

}  // namespace rwproxy::admin

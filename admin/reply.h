#pragma once

// What the admin engine answers to one statement; the admin listener encodes it as MySQL
// packets (a result set, an OK packet or an ERR packet).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "admin/status.h"

namespace rwproxy::admin {

using Row = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

struct Ok {
  uint64_t affectedRows = 0;
  std::string info;
};

using AdminReply = std::variant<ResultSet, Ok, Failure>;

}  // namespace rwproxy::admin

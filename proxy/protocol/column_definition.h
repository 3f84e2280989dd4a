// Column definition (protocol 4.1), sent after the column count of a result set.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html
// https://mariadb.com/kb/en/result-set-packets/#column-definition-packet
#pragma once

#include <cstdint>
#include <string>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct ColumnDefinition41 {
  std::string catalog = "def";
  std::string schema;
  std::string table;
  std::string orgTable;
  std::string name;
  std::string orgName;
  uint16_t characterSet = kCharsetUtf8GeneralCi;
  uint32_t columnLength = 0;
  ColumnType type = ColumnType::VarString;
  uint16_t flags = 0;
  uint8_t decimals = 0;

  // Bytes after the fixed fields (COM_FIELD_LIST's default values) are ignored. We never
  // negotiate MariaDB's extended metadata, so its extra string is never present.
  static Result<ColumnDefinition41> decode(Bytes payload);
  void encode(std::string& out) const;

  friend bool operator==(const ColumnDefinition41&, const ColumnDefinition41&) = default;
};

// A column as the admin port describes its results: a string of the given name.
ColumnDefinition41 makeTextColumn(std::string name, ColumnType type = ColumnType::VarString);

}  // namespace rwproxy::protocol

// Text protocol result sets: rows of length-encoded strings (0xFB for NULL), and whole result
// sets (column count, column definitions, [EOF], rows, EOF or OK with header 0xFE).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
// https://mariadb.com/kb/en/result-set-packets/
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/column_definition.h"
#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

using TextValue = std::optional<std::string_view>;  // nullopt is SQL NULL.
using OwnedTextValue = std::optional<std::string>;

// Appends one row payload.
void encodeTextRow(std::string& out, std::span<const TextValue> values);
void encodeTextRow(std::string& out, std::span<const OwnedTextValue> values);
// Decodes a row of exactly columnCount values; the views point into payload.
Result<std::vector<TextValue>> decodeTextRow(Bytes payload, size_t columnCount);

struct TextResultSet {
  std::vector<ColumnDefinition41> columns;
  std::vector<std::vector<OwnedTextValue>> rows;

  friend bool operator==(const TextResultSet&, const TextResultSet&) = default;
};

// Appends a whole result set as packets starting at sequence id seq (1 when answering a
// command), leaving seq after the last packet. caps decides EOF vs OK-as-EOF
// (CLIENT_DEPRECATE_EOF). statusFlags and warnings go in the final packet.
// REQUIRES: rs has at least one column and every row has rs.columns.size() values.
void encodeResultSet(std::string& out, uint8_t& seq, const TextResultSet& rs, uint32_t caps,
                     uint16_t statusFlags, uint16_t warnings = 0);

// The same in pieces, for results produced row by row: head, rows, end.
void encodeResultSetHead(std::string& out, uint8_t& seq,
                         std::span<const ColumnDefinition41> columns, uint32_t caps,
                         uint16_t statusFlags);
void encodeTextRowPacket(std::string& out, uint8_t& seq, std::span<const TextValue> values);
void encodeResultSetEnd(std::string& out, uint8_t& seq, uint32_t caps, uint16_t statusFlags,
                        uint16_t warnings = 0);

// Reads the reply to a COM_QUERY that returns text rows (the monitor's health checks, tests),
// one logical payload at a time. Holds the whole result: for small results only.
class TextResultSetDecoder {
 public:
  explicit TextResultSetDecoder(uint32_t caps) : caps_(caps) {}

  // Returns true once the reply is complete: after the final EOF/OK, or after a plain OK (no
  // result set: no columns). An ERR reply returns its error (as ErrPacket::toError()). Any
  // packet after completion is an error.
  Result<bool> feed(Bytes payload);

  const TextResultSet& result() const { return result_; }
  TextResultSet& result() { return result_; }
  // Of the final packet; check kServerMoreResultsExists for multi-statement replies.
  uint16_t statusFlags() const { return statusFlags_; }

 private:
  enum class State { ColumnCount, Columns, ColumnsEof, Rows, Done };

  Result<bool> onColumnCount(Bytes payload);
  Result<bool> onRow(Bytes payload);

  uint32_t caps_;
  State state_ = State::ColumnCount;
  uint64_t columnCount_ = 0;
  uint16_t statusFlags_ = 0;
  TextResultSet result_;
};

}  // namespace rwproxy::protocol

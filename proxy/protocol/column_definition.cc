#include "proxy/protocol/column_definition.h"

#include <utility>

namespace rwproxy::protocol {

namespace {
// Length of the fixed-size fields, always 0x0c: charset 2, length 4, type 1, flags 2,
// decimals 1, filler 2.
constexpr uint64_t kFixedFieldsLength = 0x0c;
}  // namespace

Result<ColumnDefinition41> ColumnDefinition41::decode(Bytes payload) {
  Reader r(payload);
  ColumnDefinition41 c;
  if (!r.lenencString(c.catalog) || !r.lenencString(c.schema) || !r.lenencString(c.table) ||
      !r.lenencString(c.orgTable) || !r.lenencString(c.name) || !r.lenencString(c.orgName)) {
    return Error::malformed("column definition names");
  }
  std::optional<uint64_t> fixed = r.lenencInt();
  uint8_t type = 0;
  if (!fixed || *fixed != kFixedFieldsLength || !r.u16(c.characterSet) || !r.u32(c.columnLength) ||
      !r.u8(type) || !r.u16(c.flags) || !r.u8(c.decimals) || !r.skip(2)) {
    return Error::malformed("column definition fields");
  }
  c.type = static_cast<ColumnType>(type);
  return c;
}

void ColumnDefinition41::encode(std::string& out) const {
  Writer w(out);
  w.lenencString(catalog).lenencString(schema).lenencString(table).lenencString(orgTable);
  w.lenencString(name).lenencString(orgName).lenencInt(kFixedFieldsLength);
  w.u16(characterSet).u32(columnLength).u8(static_cast<uint8_t>(type)).u16(flags).u8(decimals);
  w.u16(0);
}

ColumnDefinition41 makeTextColumn(std::string name, ColumnType type) {
  ColumnDefinition41 c;
  c.orgName = name;
  c.name = std::move(name);
  c.type = type;
  // The length a client sizes its display buffers with; any positive value works.
  c.columnLength = 1024;
  return c;
}

}  // namespace rwproxy::protocol

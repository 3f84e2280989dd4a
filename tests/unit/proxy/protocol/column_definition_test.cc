#include "proxy/protocol/column_definition.h"

#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

// MariaDB's definition of column c in SELECT 'xy' AS c (from the captured result set).
constexpr const char* kColumnC = "036465660000000163000c2d0008000000fd0100270000";

TEST_CASE("decodes a captured column definition", "[column_definition]") {
  std::string payload = fromHex(kColumnC);
  auto c = ColumnDefinition41::decode(asBytes(payload));
  REQUIRE(c.ok());
  CHECK(c->catalog == "def");
  CHECK(c->schema.empty());
  CHECK(c->table.empty());
  CHECK(c->name == "c");
  CHECK(c->orgName.empty());
  CHECK(c->characterSet == kCharsetUtf8mb4GeneralCi);
  CHECK(c->columnLength == 8);
  CHECK(c->type == ColumnType::VarString);
  CHECK(c->flags == kColumnNotNull);
  CHECK(c->decimals == 39);
  std::string out;
  c->encode(out);
  CHECK(toHex(out) == kColumnC);
}

TEST_CASE("column definition round-trips and rejects truncation", "[column_definition]") {
  ColumnDefinition41 c = makeTextColumn("hostgroup_id", ColumnType::LongLong);
  c.schema = "main";
  c.table = "mysql_servers";
  c.orgTable = "mysql_servers";
  c.flags = kColumnNotNull | kColumnPrimaryKey;
  std::string out;
  c.encode(out);
  auto back = ColumnDefinition41::decode(asBytes(out));
  REQUIRE(back.ok());
  CHECK(*back == c);
  forEachPrefix(out,
                [](Bytes prefix, size_t) { CHECK_FALSE(ColumnDefinition41::decode(prefix).ok()); });
}

TEST_CASE("column definition with a wrong fixed-fields length is rejected", "[column_definition]") {
  std::string payload = fromHex(kColumnC);
  payload[10] = 0x0b;
  CHECK_FALSE(ColumnDefinition41::decode(asBytes(payload)).ok());
}

}  // namespace
}  // namespace rwproxy::protocol

#include "proxy/stats/event_json.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/proxy/stats/json_line.h"

using namespace rwproxy::stats;
using rwproxy::stats::test::fieldOf;
using rwproxy::stats::test::parseJsonLine;

namespace {

std::string quoted(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

// Decodes a JSON string through the strict test parser.
std::string roundTrip(std::string_view text) {
  const auto fields = parseJsonLine("{\"v\":" + quoted(text) + "}");
  REQUIRE(fields);
  return fieldOf(*fields, "v");
}

std::string isoTime(uint64_t unixUs) {
  std::string out;
  appendIsoTime(out, unixUs);
  return out;
}

}  // namespace

TEST_CASE("json strings escape quotes, backslashes and control characters") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("") == "\"\"");
  CHECK(quoted("say \"hi\"") == R"("say \"hi\"")");
  CHECK(quoted("C:\\dir") == R"("C:\\dir")");
  CHECK(quoted("a\nb\r\tc\b\f") == R"("a\nb\r\tc\b\f")");
  CHECK(quoted(std::string_view("\x01\x1f\0z", 4)) == R"("\u0001\u001f\u0000z")");
  CHECK(quoted("\x7f") == "\"\x7f\"");  // DEL is legal in JSON
  CHECK(roundTrip("it's \"quoted\"\\ \n\x02") == "it's \"quoted\"\\ \n\x02");
}

TEST_CASE("json strings keep valid UTF-8 and escape invalid bytes as \\u00XX") {
  const std::string valid = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8";
  CHECK(quoted(valid) == "\"" + valid + "\"");
  CHECK(roundTrip(valid) == valid);

  CHECK(quoted("\xff") == R"("\u00ff")");
  CHECK(quoted("x\xe9y") == R"("x\u00e9y")");                            // latin1 e-acute
  CHECK(quoted("\xc3") == R"("\u00c3")");                                // truncated sequence
  CHECK(quoted("\xc3(") == R"("\u00c3(")");                              // bad continuation
  CHECK(quoted("\xc0\xaf") == R"("\u00c0\u00af")");                      // overlong '/'
  CHECK(quoted("\xe0\x80\xaf") == R"("\u00e0\u0080\u00af")");            // overlong, 3 bytes
  CHECK(quoted("\xed\xa0\x80") == R"("\u00ed\u00a0\u0080")");            // UTF-16 surrogate
  CHECK(quoted("\xf4\x90\x80\x80") == R"("\u00f4\u0090\u0080\u0080")");  // > U+10FFFF
  CHECK(quoted("\x80z") == R"("\u0080z")");                              // stray continuation byte
  CHECK(roundTrip("\xfe\xc3\xa9") == "\xc3\xbe\xc3\xa9");                // U+00FE then the valid é
}

TEST_CASE("time is ISO-8601 UTC with microseconds") {
  CHECK(isoTime(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(isoTime(951782400000000ULL) == "2000-02-29T00:00:00.000000Z");
  CHECK(isoTime(1714566896123456ULL) == "2024-05-01T12:34:56.123456Z");
  CHECK(isoTime(1735689599999999ULL) == "2024-12-31T23:59:59.999999Z");
  CHECK(isoTime(4102444800000001ULL) == "2100-01-01T00:00:00.000001Z");
}

TEST_CASE("an event line is one valid JSON object with every field in order") {
  LogEvent event;
  event.timeUnixUs = 1714566896000042ULL;
  event.username = "app\"user";
  event.schemaname = "shop";
  event.client = "10.0.0.7:51234";
  event.hostgroup = 2;
  event.server = "db2:3306";
  event.durationUs = 412;
  event.rowsSent = 7;
  event.rowsAffected = 0;
  event.digest = 0x1D5A3E2F47B98C10ULL;
  event.query = "SELECT 'a\nb' \\ \x01 FROM t \xff";

  std::string line;
  appendEventLine(line, event);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  line.pop_back();
  const auto fields = parseJsonLine(line);
  REQUIRE(fields);
  const char* keys[] = {"time",          "username", "schemaname",  "client",
                        "hostgroup",     "server",   "duration_us", "rows_sent",
                        "rows_affected", "digest",   "query"};
  REQUIRE(fields->size() == std::size(keys));
  for (size_t i = 0; i < std::size(keys); ++i) CHECK((*fields)[i].first == keys[i]);
  CHECK(fieldOf(*fields, "time") == "2024-05-01T12:34:56.000042Z");
  CHECK(fieldOf(*fields, "username") == "app\"user");
  CHECK(fieldOf(*fields, "client") == "10.0.0.7:51234");
  CHECK(fieldOf(*fields, "hostgroup") == "2");
  CHECK(fieldOf(*fields, "server") == "db2:3306");
  CHECK(fieldOf(*fields, "duration_us") == "412");
  CHECK(fieldOf(*fields, "rows_sent") == "7");
  CHECK(fieldOf(*fields, "rows_affected") == "0");
  CHECK(fieldOf(*fields, "digest") == "0x1D5A3E2F47B98C10");
  CHECK(fieldOf(*fields, "query") == "SELECT 'a\nb' \\ \x01 FROM t \xc3\xbf");

  event.hostgroup = -1;
  line.clear();
  appendEventLine(line, event);
  line.pop_back();
  const auto negative = parseJsonLine(line);
  REQUIRE(negative);
  CHECK(fieldOf(*negative, "hostgroup") == "-1");
}

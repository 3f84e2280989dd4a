// The JSON line of one events-log entry (a query that matched a rule with log=1), as written by
// EventsLog. Pure functions, no I/O.
//
// One line per event, keys in this order:
//   {"time":"2024-05-01T12:34:56.123456Z","username":"app","schemaname":"shop",
//    "client":"10.0.0.7:51234","hostgroup":1,"server":"10.0.0.2:3306","duration_us":412,
//    "rows_sent":1,"rows_affected":0,"digest":"0x1D5A3E2F47B98C10","query":"SELECT ..."}
//
// String escaping (RFC 8259): `"` and `\` are escaped; \b \f \n \r \t use their short forms and
// the other control characters (0x00-0x1F) become \u00XX; valid UTF-8 (shortest form, no
// surrogates, at most U+10FFFF) is copied as is, DEL and U+2028/U+2029 included. A byte that is
// not part of a valid UTF-8 sequence becomes \u00XX with its own value: the line stays valid
// JSON, text from latin1 clients still reads right, and each odd byte stays visible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::stats {

// Views valid for the call only.
struct LogEvent {
  uint64_t timeUnixUs = 0;  // wall clock when the query ended, microseconds since the epoch
  std::string_view username;
  std::string_view schemaname;
  std::string_view client;  // "ip:port"
  int hostgroup = -1;
  std::string_view server;  // "host:port"
  uint64_t durationUs = 0;
  uint64_t rowsSent = 0;
  uint64_t rowsAffected = 0;
  uint64_t digest = 0;
  std::string_view query;
};

// Appends `text` as a quoted JSON string.
void appendJsonString(std::string& out, std::string_view text);

// Appends ISO-8601 UTC with microseconds: 2024-05-01T12:34:56.123456Z.
void appendIsoTime(std::string& out, uint64_t unixUs);

// Appends the event's JSON object and a '\n'.
void appendEventLine(std::string& out, const LogEvent& event);

}  // namespace rwproxy::stats

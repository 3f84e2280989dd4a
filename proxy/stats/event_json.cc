// JSON formatting of events-log lines. Runs on the worker for each logged query, so it appends
// straight into the caller's buffer (no temporaries) and copies runs of plain bytes at once.
#include "proxy/stats/event_json.h"

#include <charconv>
#include <chrono>

#include "sql/digest.h"

namespace rwproxy::stats {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting text[0] (a byte >= 0x80), or 0 if invalid.
size_t utf8SequenceLength(std::string_view text) noexcept {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && byte(1) > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // a stray continuation byte, C0, C1 or F5..FF
}

void appendByteEscape(std::string& out, unsigned char c) {
  const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out.append(escape, sizeof(escape));
}

// Appends `value` in decimal, zero-padded to `width` digits.
void appendPadded(std::string& out, uint64_t value, size_t width) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), value);
  const size_t length = static_cast<size_t>(result.ptr - digits);
  if (length < width) out.append(width - length, '0');
  out.append(digits, length);
}

void appendNumber(std::string& out, int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, static_cast<size_t>(result.ptr - digits));
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    size_t plain = i;
    while (plain < text.size()) {
      const auto c = static_cast<unsigned char>(text[plain]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++plain;
    }
    out.append(text.data() + i, plain - i);
    i = plain;
    if (i == text.size()) break;

    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = utf8SequenceLength(text.substr(i));
      if (length == 0) {
        appendByteEscape(out, c);
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        appendByteEscape(out, c);
        break;
    }
    ++i;
  }
  out.push_back('"');
}

void appendIsoTime(std::string& out, uint64_t unixUs) {
  using std::chrono::days;
  const uint64_t totalSeconds = unixUs / 1000000;
  const uint64_t dayNumber = totalSeconds / 86400;
  const uint64_t secondOfDay = totalSeconds % 86400;
  const std::chrono::year_month_day date{
      std::chrono::sys_days{days{static_cast<days::rep>(dayNumber)}}};
  appendPadded(out, static_cast<uint64_t>(static_cast<int>(date.year())), 4);
  out.push_back('-');
  appendPadded(out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  appendPadded(out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  appendPadded(out, secondOfDay / 3600, 2);
  out.push_back(':');
  appendPadded(out, secondOfDay / 60 % 60, 2);
  out.push_back(':');
  appendPadded(out, secondOfDay % 60, 2);
  out.push_back('.');
  appendPadded(out, unixUs % 1000000, 6);
  out.push_back('Z');
}

void appendEventLine(std::string& out, const LogEvent& event) {
  out.append("{\"time\":\"");
  appendIsoTime(out, event.timeUnixUs);
  out.append("\",\"username\":");
  appendJsonString(out, event.username);
  out.append(",\"schemaname\":");
  appendJsonString(out, event.schemaname);
  out.append(",\"client\":");
  appendJsonString(out, event.client);
  out.append(",\"hostgroup\":");
  appendNumber(out, event.hostgroup);
  out.append(",\"server\":");
  appendJsonString(out, event.server);
  out.append(",\"duration_us\":");
  appendPadded(out, event.durationUs, 1);
  out.append(",\"rows_sent\":");
  appendPadded(out, event.rowsSent, 1);
  out.append(",\"rows_affected\":");
  appendPadded(out, event.rowsAffected, 1);
  out.append(",\"digest\":\"");
  out.append(sql::formatDigestHash(event.digest).view());
  out.append("\",\"query\":");
  appendJsonString(out, event.query);
  out.append("}\n");
}

}  // namespace rwproxy::stats

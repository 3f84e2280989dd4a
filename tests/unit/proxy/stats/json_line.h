// A strict parser for the flat JSON objects of the events log, for tests: string and integer
// values only. Rejects what RFC 8259 rejects there (raw control characters, bad escapes, invalid
// UTF-8, trailing bytes) so that a test fails when the writer emits invalid JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwproxy::stats::test {

// Keys in order of appearance, values decoded (strings unescaped to UTF-8, numbers as text).
using JsonFields = std::vector<std::pair<std::string, std::string>>;

class JsonLineParser {
 public:
  explicit JsonLineParser(std::string_view text) : text_(text) {}

  std::optional<JsonFields> parseObject() {
    JsonFields fields;
    if (!eat('{')) return std::nullopt;
    if (eat('}')) return pos_ == text_.size() ? std::optional(fields) : std::nullopt;
    for (;;) {
      auto key = parseString();
      if (!key || !eat(':')) return std::nullopt;
      auto value = peek() == '"' ? parseString() : parseInteger();
      if (!value) return std::nullopt;
      fields.emplace_back(std::move(*key), std::move(*value));
      if (eat(',')) continue;
      if (!eat('}')) return std::nullopt;
      return pos_ == text_.size() ? std::optional(fields) : std::nullopt;
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }

  std::optional<std::string> parseInteger() {
    const size_t start = pos_;
    if (peek() == '-') ++pos_;
    while (peek() >= '0' && peek() <= '9') ++pos_;
    if (pos_ == start || (pos_ == start + 1 && text_[start] == '-')) return std::nullopt;
    return std::string(text_.substr(start, pos_ - start));
  }

  static void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Length of a valid UTF-8 sequence at pos_ (lead byte >= 0x80), 0 if invalid.
  size_t utf8Length() const {
    const auto at = [&](size_t i) {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0;
    };
    const auto cont = [&](size_t i) { return (at(i) & 0xC0) == 0x80; };
    const unsigned char b = at(0);
    if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
    if (b >= 0xE0 && b <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if ((b == 0xE0 && at(1) < 0xA0) || (b == 0xED && at(1) > 0x9F)) return 0;
      return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if ((b == 0xF0 && at(1) < 0x90) || (b == 0xF4 && at(1) > 0x8F)) return 0;
      return 4;
    }
    return 0;
  }

  std::optional<std::string> parseString() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return std::nullopt;
      if (c >= 0x80) {
        const size_t n = utf8Length();
        if (n == 0) return std::nullopt;
        out.append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= text_.size()) return std::nullopt;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return std::nullopt;
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9')
              cp |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
              cp |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              cp |= static_cast<uint32_t>(h - 'A' + 10);
            else
              return std::nullopt;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;  // not emitted by the writer
          appendUtf8(out, cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

inline std::optional<JsonFields> parseJsonLine(std::string_view line) {
  return JsonLineParser(line).parseObject();
}

inline std::string fieldOf(const JsonFields& fields, std::string_view key) {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "<missing>";
}

}  // namespace rwproxy::stats::test

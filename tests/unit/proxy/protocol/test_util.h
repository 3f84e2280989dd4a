// Helpers shared by the codec tests: hex fixtures and truncation loops.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/protocol/wire.h"

namespace rwproxy::protocol::test {

// "0a 1B ff" -> bytes; spaces are ignored.
inline std::string fromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int high = -1;
  for (char c : hex) {
    int v = nibble(c);
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
  }
  REQUIRE(high < 0);
  return out;
}

inline std::string toHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

// Copies the prefix into its own heap block of exactly that size, so AddressSanitizer reports
// any read past its end (a view into a longer string would hide such a read).
inline std::unique_ptr<uint8_t[]> exactCopy(std::string_view s) {
  auto p = std::make_unique<uint8_t[]>(s.size() + (s.empty() ? 1 : 0));
  std::copy(s.begin(), s.end(), p.get());
  return p;
}

// Calls check(prefix) for every strict prefix of full (0 .. size-1 bytes), each in an exactly
// sized buffer.
template <class F>
void forEachPrefix(std::string_view full, F&& check) {
  for (size_t n = 0; n < full.size(); ++n) {
    auto copy = exactCopy(full.substr(0, n));
    INFO("prefix length " << n << " of " << full.size());
    check(Bytes(copy.get(), n), n);
  }
}

}  // namespace rwproxy::protocol::test

// Digest hashing and its text form (see digest.h for the choice of function).
#include "sql/digest.h"

namespace rwproxy::sql {
namespace {

constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a alone mixes the last bytes poorly into the high bits: finish with mix64.
constexpr uint64_t fmix64(uint64_t k) noexcept { return mix64(k); }

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

uint64_t digestHash(std::string_view digestText) noexcept {
  uint64_t h = kFnvOffsetBasis;
  for (char c : digestText) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return fmix64(h);
}

DigestHashText formatDigestHash(uint64_t hash) noexcept {
  static constexpr char kHex[] = "0123456789ABCDEF";
  DigestHashText out;
  out.chars[0] = '0';
  out.chars[1] = 'x';
  for (size_t i = 0; i < 16; ++i) {
    out.chars[2 + i] = kHex[(hash >> (60 - 4 * i)) & 0xF];
  }
  return out;
}

std::optional<uint64_t> parseDigestHash(std::string_view text) noexcept {
  if (text.size() < 3 || text.size() > 18 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text.substr(2)) {
    const int v = hexValue(c);
    if (v < 0) return std::nullopt;
    value = (value << 4) | static_cast<uint64_t>(v);
  }
  return value;
}

}  // namespace rwproxy::sql

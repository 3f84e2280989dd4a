#include "proxy/protocol/wire.h"

#include <cstring>

namespace rwproxy::protocol {

const uint8_t* Reader::take(size_t n) {
  if (failed_ || n > remaining()) {
    failed_ = true;
    return nullptr;
  }
  // An empty span may have a null data(); hand out a valid pointer so a zero-length read
  // succeeds instead of looking like a failure.
  static constexpr uint8_t kNothing = 0;
  if (n == 0) return &kNothing;
  const uint8_t* p = data_.data() + pos_;
  pos_ += n;
  return p;
}

uint64_t Reader::le(const uint8_t* p, size_t n) const {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

std::optional<uint8_t> Reader::peek() const {
  if (failed_ || remaining() == 0) return std::nullopt;
  return data_[pos_];
}

std::optional<uint8_t> Reader::u8() {
  const uint8_t* p = take(1);
  if (p == nullptr) return std::nullopt;
  return *p;
}

std::optional<uint16_t> Reader::u16() {
  const uint8_t* p = take(2);
  if (p == nullptr) return std::nullopt;
  return static_cast<uint16_t>(le(p, 2));
}

std::optional<uint32_t> Reader::u24() {
  const uint8_t* p = take(3);
  if (p == nullptr) return std::nullopt;
  return static_cast<uint32_t>(le(p, 3));
}

std::optional<uint32_t> Reader::u32() {
  const uint8_t* p = take(4);
  if (p == nullptr) return std::nullopt;
  return static_cast<uint32_t>(le(p, 4));
}

std::optional<uint64_t> Reader::u48() {
  const uint8_t* p = take(6);
  if (p == nullptr) return std::nullopt;
  return le(p, 6);
}

std::optional<uint64_t> Reader::u64() {
  const uint8_t* p = take(8);
  if (p == nullptr) return std::nullopt;
  return le(p, 8);
}

std::optional<uint64_t> Reader::lenencInt() {
  std::optional<uint8_t> first = peek();
  if (!first) {
    failed_ = true;
    return std::nullopt;
  }
  size_t width = 0;
  switch (*first) {
    case 0xFC:
      width = 2;
      break;
    case 0xFD:
      width = 3;
      break;
    case 0xFE:
      width = 8;
      break;
    case 0xFB:  // NULL is a value only in text rows; the caller checks it with peek().
    case 0xFF:  // An ERR header, never an integer.
      failed_ = true;
      return std::nullopt;
    default:
      ++pos_;
      return *first;
  }
  if (width + 1 > remaining()) {
    failed_ = true;
    return std::nullopt;
  }
  uint64_t v = le(data_.data() + pos_ + 1, width);
  pos_ += width + 1;
  return v;
}

std::optional<std::string_view> Reader::lenencString() {
  size_t start = pos_;
  std::optional<uint64_t> n = lenencInt();
  if (!n) return std::nullopt;
  if (*n > remaining()) {
    pos_ = start;
    failed_ = true;
    return std::nullopt;
  }
  return fixedString(static_cast<size_t>(*n));
}

std::optional<std::string_view> Reader::nulString() {
  if (failed_ || remaining() == 0) {
    failed_ = true;
    return std::nullopt;
  }
  const uint8_t* begin = data_.data() + pos_;
  const void* nul = std::memchr(begin, 0, remaining());
  if (nul == nullptr) {
    failed_ = true;
    return std::nullopt;
  }
  size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nul) - begin);
  pos_ += n + 1;
  return std::string_view(reinterpret_cast<const char*>(begin), n);
}

std::optional<std::string_view> Reader::fixedString(size_t n) {
  const uint8_t* p = take(n);
  if (p == nullptr) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

std::optional<Bytes> Reader::bytes(size_t n) {
  const uint8_t* p = take(n);
  if (p == nullptr) return std::nullopt;
  return Bytes(p, n);
}

std::optional<std::string_view> Reader::restString() { return fixedString(remaining()); }

bool Reader::skip(size_t n) { return take(n) != nullptr; }

Writer& Writer::le(uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return *this;
}

Writer& Writer::u8(uint8_t v) { return le(v, 1); }
Writer& Writer::u16(uint16_t v) { return le(v, 2); }
Writer& Writer::u24(uint32_t v) { return le(v, 3); }
Writer& Writer::u32(uint32_t v) { return le(v, 4); }
Writer& Writer::u48(uint64_t v) { return le(v, 6); }
Writer& Writer::u64(uint64_t v) { return le(v, 8); }

Writer& Writer::lenencInt(uint64_t v) {
  if (v < 251) return le(v, 1);
  if (v <= 0xFFFF) return u8(0xFC).le(v, 2);
  if (v <= 0xFFFFFF) return u8(0xFD).le(v, 3);
  return u8(0xFE).le(v, 8);
}

Writer& Writer::lenencString(std::string_view s) { return lenencInt(s.size()).bytes(s); }

Writer& Writer::nulString(std::string_view s) {
  bytes(s);
  out_.push_back('\0');
  return *this;
}

Writer& Writer::bytes(std::string_view s) {
  out_.append(s);
  return *this;
}

Writer& Writer::zeros(size_t n) {
  out_.append(n, '\0');
  return *this;
}

}  // namespace rwproxy::protocol

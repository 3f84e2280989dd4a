// Primitive wire types: fixed-width little-endian integers, length-encoded integers and strings,
// NUL-terminated strings. https://mariadb.com/kb/en/protocol-data-types/
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rwproxy::protocol {

using Bytes = std::span<const uint8_t>;

inline Bytes asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view asStringView(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Fixed-width little-endian integers in place (REQUIRES: 4 bytes there), for patching a
// statement id inside a packet that is otherwise passed on untouched.
inline uint32_t readLe32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline void writeLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
}

// The first byte of a length-encoded integer that marks SQL NULL in a text row.
constexpr uint8_t kLenencNull = 0xFB;

// Number of bytes lenencInt would write for v.
constexpr size_t lenencIntSize(uint64_t v) {
  return v < 251 ? 1 : v <= 0xFFFF ? 3 : v <= 0xFFFFFF ? 4 : 9;
}

// A bounds-checked cursor over a payload. Every read either returns the value and advances, or
// returns nullopt/false, leaves the position where it was and marks the reader failed (sticky,
// so a decoder may check ok() once after several reads). Never reads past the end. Strings are
// views into the payload: the payload must outlive them. Never allocates.
class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  bool ok() const { return !failed_; }
  std::optional<uint8_t> peek() const;

  std::optional<uint8_t> u8();
  std::optional<uint16_t> u16();
  std::optional<uint32_t> u24();
  std::optional<uint32_t> u32();
  std::optional<uint64_t> u48();
  std::optional<uint64_t> u64();
  // 0xFB (NULL) and 0xFF are rejected here; text rows check for NULL with peek() first.
  std::optional<uint64_t> lenencInt();
  std::optional<std::string_view> lenencString();
  // Up to the next NUL, which is consumed and not returned. No NUL before the end: failure.
  std::optional<std::string_view> nulString();
  std::optional<std::string_view> fixedString(size_t n);
  std::optional<Bytes> bytes(size_t n);
  // Everything left (possibly empty); always succeeds unless the reader already failed.
  std::optional<std::string_view> restString();
  bool skip(size_t n);

  // Out-parameter forms so decoders can chain reads: if (!r.u8(a) || !r.u16(b)) ...
  [[nodiscard]] bool u8(uint8_t& out) { return assign(out, u8()); }
  [[nodiscard]] bool u16(uint16_t& out) { return assign(out, u16()); }
  [[nodiscard]] bool u32(uint32_t& out) { return assign(out, u32()); }
  [[nodiscard]] bool u64(uint64_t& out) { return assign(out, u64()); }
  [[nodiscard]] bool lenencInt(uint64_t& out) { return assign(out, lenencInt()); }
  [[nodiscard]] bool lenencString(std::string& out) { return assignStr(out, lenencString()); }
  [[nodiscard]] bool nulString(std::string& out) { return assignStr(out, nulString()); }
  [[nodiscard]] bool fixedString(std::string& out, size_t n) {
    return assignStr(out, fixedString(n));
  }
  [[nodiscard]] bool restString(std::string& out) { return assignStr(out, restString()); }

 private:
  template <class T, class U>
  static bool assign(T& out, const std::optional<U>& v) {
    if (!v) return false;
    out = static_cast<T>(*v);
    return true;
  }
  static bool assignStr(std::string& out, std::optional<std::string_view> v) {
    if (!v) return false;
    out.assign(*v);
    return true;
  }
  // Returns the next n bytes and advances, or fails.
  const uint8_t* take(size_t n);
  uint64_t le(const uint8_t* p, size_t n) const;

  Bytes data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Appends wire primitives to a caller-owned string (which must outlive the Writer).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& u8(uint8_t v);
  Writer& u16(uint16_t v);
  Writer& u24(uint32_t v);
  Writer& u32(uint32_t v);
  Writer& u48(uint64_t v);
  Writer& u64(uint64_t v);
  Writer& lenencInt(uint64_t v);
  Writer& lenencString(std::string_view s);
  // REQUIRES: s contains no NUL (it would end the string early for the reader).
  Writer& nulString(std::string_view s);
  Writer& bytes(std::string_view s);
  Writer& bytes(Bytes b) { return bytes(asStringView(b)); }
  Writer& zeros(size_t n);

 private:
  Writer& le(uint64_t v, size_t n);

  std::string& out_;
};

}  // namespace rwproxy::protocol

// Result sets built packet by packet for the cache tests, in either EOF flavour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/packet.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::cache::test {

namespace p = rwproxy::protocol;
using namespace std::string_literals;

inline std::string u16le(uint16_t v) {
  return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
}

// A column definition payload (content does not matter to the cache: it is replayed as is).
inline std::string columnDef(const std::string& name) {
  std::string d;
  d += '\3';
  d += "def";
  d += '\0';
  d += '\0';
  d += '\0';
  d += static_cast<char>(name.size());
  d += name;
  d += '\0';
  d += "\x0c\x2d\x00\xfc\xff\x00\x00\xfd\x00\x00\x00\x00"s;
  return d;
}

// One text row of single-column values (each shorter than 251 bytes).
inline std::string textRow(const std::vector<std::string>& values) {
  std::string r;
  for (const auto& v : values) {
    r += static_cast<char>(v.size());
    r += v;
  }
  return r;
}

struct ResultSpec {
  std::vector<std::string> columns = {"v"};
  std::vector<std::vector<std::string>> rows;
  uint16_t status = p::kServerStatusAutocommit;
  uint16_t warnings = 0;
  std::string okInfo;  // DEPRECATE_EOF terminator: bytes after status and warnings
};

// The bytes a server sends for `spec` in the given flavour, sequence ids from 1.
inline std::string resultSet(const ResultSpec& spec, bool deprecateEof) {
  std::string out;
  uint8_t seq = 1;
  p::appendPacket(out, seq, std::string(1, static_cast<char>(spec.columns.size())));
  for (const auto& c : spec.columns) {
    p::appendPacket(out, seq, columnDef(c));
  }
  std::string eof = "\xfe"s + u16le(spec.warnings) + u16le(spec.status);
  if (!deprecateEof) {
    p::appendPacket(out, seq, eof);
  }
  for (const auto& row : spec.rows) {
    p::appendPacket(out, seq, textRow(row));
  }
  if (deprecateEof) {
    p::appendPacket(out, seq,
                    "\xfe\x00\x00"s + u16le(spec.status) + u16le(spec.warnings) + spec.okInfo);
  } else {
    p::appendPacket(out, seq, eof);
  }
  return out;
}

// The sequence ids of the packets in `bytes` (whole single-chunk packets).
inline std::vector<int> sequenceIds(const std::string& bytes) {
  std::vector<int> ids;
  size_t pos = 0;
  while (pos + 4 <= bytes.size()) {
    auto h = p::decodeHeader(reinterpret_cast<const uint8_t*>(bytes.data() + pos));
    ids.push_back(h.sequenceId);
    pos += 4 + h.length;
  }
  return ids;
}

}  // namespace rwproxy::cache::test

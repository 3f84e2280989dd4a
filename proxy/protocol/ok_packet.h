// OK packet, and cheap classification of response packets for the streaming path.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
// https://mariadb.com/kb/en/ok_packet/
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct OkPacket {
  // 0x00, or 0xFE when the OK ends a result set in place of EOF (CLIENT_DEPRECATE_EOF).
  uint8_t header = 0x00;
  uint64_t affectedRows = 0;
  uint64_t lastInsertId = 0;
  uint16_t statusFlags = 0;
  uint16_t warnings = 0;  // Only on the wire with CLIENT_PROTOCOL_41.
  std::string info;
  // Raw session state change records; only with CLIENT_SESSION_TRACK and
  // kServerSessionStateChanged in statusFlags.
  std::string sessionStateInfo;

  // caps: the capabilities negotiated for the connection. With CLIENT_SESSION_TRACK a missing
  // info string is accepted (servers omit it when empty).
  static Result<OkPacket> decode(Bytes payload, uint32_t caps);
  // Appends the payload. With CLIENT_SESSION_TRACK the info string is always written.
  void encode(std::string& out, uint32_t caps) const;

  friend bool operator==(const OkPacket&, const OkPacket&) = default;
};

// Classification of the first packet of a response or of a packet in a result set. None of
// these allocate or fully decode. They look at one payload (of a physical packet whose
// previous chunk was not a full 0xFFFFFF one: see PacketCursor).

// An OK packet: header 0x00 and at least 7 bytes (the 4.1 minimum). Only meaningful where an
// OK may appear: a text row whose first value is '' also starts with 0x00.
bool isOk(Bytes payload) noexcept;
// An ERR packet: header 0xFF (a lenenc integer never starts with 0xFF, so this is unambiguous
// in a result set too).
bool isErr(Bytes payload) noexcept;
// The packet that ends a result set's rows (and, without DEPRECATE_EOF, its column
// definitions). Header 0xFE, and:
//  - without CLIENT_DEPRECATE_EOF: an EOF packet, shorter than 9 bytes (a row starting with
//    0xFE has an 8-byte length after it, so it is at least 9 bytes);
//  - with CLIENT_DEPRECATE_EOF: an OK packet with header 0xFE, which may be long (info and
//    session state) but is shorter than 0xFFFFFF bytes; a row starting with 0xFE announces a
//    value of 2^24 bytes or more and so fills a whole 0xFFFFFF chunk.
bool isEofOrOkAsEof(Bytes payload, uint32_t caps) noexcept;
// The server status flags of an OK (header 0x00 or 0xFE, at least 7 bytes) or 4.1 EOF (header
// 0xFE, 5 or 6 bytes) payload, or nullopt if it is neither or is truncated.
std::optional<uint16_t> statusFlagsOf(Bytes payload) noexcept;

}  // namespace rwproxy::protocol

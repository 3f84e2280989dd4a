// EOF packet (protocol 4.1), replaced by an OK packet with header 0xFE under
// CLIENT_DEPRECATE_EOF.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html
// https://mariadb.com/kb/en/eof_packet/
#pragma once

#include <cstdint>
#include <string>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct EofPacket {
  uint16_t warnings = 0;
  uint16_t statusFlags = 0;

  // Requires the 5-byte 4.1 form; longer than 8 bytes is not an EOF.
  static Result<EofPacket> decode(Bytes payload);
  void encode(std::string& out) const;

  friend bool operator==(const EofPacket&, const EofPacket&) = default;
};

}  // namespace rwproxy::protocol

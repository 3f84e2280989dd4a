// ERR packet. https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html
// https://mariadb.com/kb/en/err_packet/
#pragma once

#include <cstdint>
#include <string>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct ErrPacket {
  uint16_t code = 0;
  std::string sqlState;  // 5 characters, without the '#' marker.
  std::string message;

  static ErrPacket fromError(const Error& e) { return {e.code, e.sqlState, e.message}; }
  Error toError() const { return {code, sqlState, message}; }

  // The '#' + SQLSTATE is read when present (CLIENT_PROTOCOL_41); without it, as in errors a
  // server sends before it knows the client's flags, sqlState is "HY000". Rejects MariaDB
  // progress reports (code 0xFFFF), which we never ask for.
  static Result<ErrPacket> decode(Bytes payload, uint32_t caps = kClientProtocol41);
  // With CLIENT_PROTOCOL_41, writes '#' and sqlState padded or cut to 5 characters.
  void encode(std::string& out, uint32_t caps = kClientProtocol41) const;

  friend bool operator==(const ErrPacket&, const ErrPacket&) = default;
};

}  // namespace rwproxy::protocol

// Initial handshake packet, protocol version 10 (server to client).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
// https://mariadb.com/kb/en/connection/#initial-handshake-packet
#pragma once

#include <cstdint>
#include <string>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct HandshakeV10 {
  uint8_t protocolVersion = 10;
  std::string serverVersion;  // MariaDB prefixes "5.5.5-" for old replication clients.
  uint32_t connectionId = 0;
  // The scramble: part 1 (8 bytes) + part 2 (usually 12 bytes), without part 2's trailing NUL.
  std::string authPluginData;
  uint32_t capabilities = 0;  // Lower and upper 16 bits joined.
  uint8_t characterSet = 0;
  uint16_t statusFlags = 0;
  std::string authPluginName;
  // MariaDB only: capabilities 32..63, present in the reserved bytes when the server clears
  // bit 0 (kClientMysql). Zero otherwise.
  uint32_t mariadbExtendedCapabilities = 0;

  // Accepts greetings without CLIENT_PLUGIN_AUTH or CLIENT_SECURE_CONNECTION, and a plugin name
  // without its terminating NUL (a known MySQL 5.5 quirk). Refuses the pre-4.1 short form.
  static Result<HandshakeV10> decode(Bytes payload);
  // Appends the payload (no packet header). REQUIRES: authPluginData has 8 bytes and, with
  // CLIENT_SECURE_CONNECTION, 12 to 247 more (12 or 13 without CLIENT_PLUGIN_AUTH).
  // Writes every optional part; CLIENT_PLUGIN_AUTH and CLIENT_SECURE_CONNECTION should be set.
  void encode(std::string& out) const;

  friend bool operator==(const HandshakeV10&, const HandshakeV10&) = default;
};

}  // namespace rwproxy::protocol

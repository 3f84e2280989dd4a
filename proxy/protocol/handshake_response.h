// Handshake response (client to server), protocol 4.1, and the SSLRequest that precedes it when
// the client switches to TLS.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html
// https://mariadb.com/kb/en/connection/#handshake-response-packet
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

// Connection attributes in the order the client sent them (keys may repeat).
using ConnectAttributes = std::vector<std::pair<std::string, std::string>>;

// The lenenc total length followed by lenenc key/value pairs (used by COM_CHANGE_USER too).
Status decodeConnectAttributes(Reader& r, ConnectAttributes& out);
void encodeConnectAttributes(std::string& out, const ConnectAttributes& attrs);

// The fixed 32-byte prefix every 4.1 handshake response starts with; sent alone as SSLRequest.
struct SslRequest {
  uint32_t capabilities = 0;
  uint32_t maxPacketSize = 0;
  uint8_t characterSet = 0;
  uint32_t mariadbExtendedCapabilities = 0;  // Only when kClientMysql is clear.

  static Result<SslRequest> decode(Bytes payload);
  void encode(std::string& out) const;

  friend bool operator==(const SslRequest&, const SslRequest&) = default;
};

constexpr size_t kSslRequestSize = 32;

// True for an SSLRequest: exactly 32 bytes with CLIENT_SSL set. Does not allocate.
bool isSslRequest(Bytes payload);

struct HandshakeResponse41 {
  uint32_t capabilities = 0;  // The client's flags; they decide the layout below.
  uint32_t maxPacketSize = 0;
  uint8_t characterSet = 0;
  uint32_t mariadbExtendedCapabilities = 0;  // Only when kClientMysql is clear.
  std::string username;
  std::string authResponse;             // Raw bytes.
  std::optional<std::string> database;  // Present iff CLIENT_CONNECT_WITH_DB.
  std::string authPluginName;           // Empty without CLIENT_PLUGIN_AUTH.
  ConnectAttributes connectAttributes;  // Empty without CLIENT_CONNECT_ATTRS.

  // Rejects pre-4.1 responses (no CLIENT_PROTOCOL_41) and SSLRequests (check isSslRequest
  // first). Fields are read as the client's capability flags say.
  static Result<HandshakeResponse41> decode(Bytes payload);
  // Appends the payload. The auth response is written with the most general encoding the
  // capabilities allow (lenenc, else 1-byte length, else NUL-terminated). REQUIRES: with
  // neither of the first two flags the response has no NUL; with only SECURE_CONNECTION it is
  // at most 255 bytes; database set iff CONNECT_WITH_DB.
  void encode(std::string& out) const;

  friend bool operator==(const HandshakeResponse41&, const HandshakeResponse41&) = default;
};

}  // namespace rwproxy::protocol

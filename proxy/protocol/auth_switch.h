// Authentication switch request and extra authentication data (server to client).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_more_data.html
// https://mariadb.com/kb/en/connection/#authentication-switch-request
#pragma once

#include <string>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct AuthSwitchRequest {
  std::string pluginName;
  // Raw plugin data up to the end of the packet. For mysql_native_password and
  // caching_sha2_password the server sends the 20-byte scramble plus a NUL: use salt().
  std::string pluginData;

  // The scramble: pluginData without one trailing NUL.
  std::string_view salt() const;

  // Rejects the pre-4.1 one-byte form (switch to mysql_old_password), which we do not support.
  static Result<AuthSwitchRequest> decode(Bytes payload);
  void encode(std::string& out) const;

  friend bool operator==(const AuthSwitchRequest&, const AuthSwitchRequest&) = default;
};

// 0x01 followed by plugin-specific data (e.g. caching_sha2_password's fast auth result byte).
struct AuthMoreData {
  std::string data;

  static Result<AuthMoreData> decode(Bytes payload);
  void encode(std::string& out) const;

  friend bool operator==(const AuthMoreData&, const AuthMoreData&) = default;
};

}  // namespace rwproxy::protocol

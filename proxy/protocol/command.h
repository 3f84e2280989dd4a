// Client commands: the command byte and the arguments of the commands the proxy inspects, and
// encoders for the commands it sends to backends.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
// https://mariadb.com/kb/en/2-text-protocol/
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/handshake_response.h"
#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

// The command byte. Any byte is returned (unknown ones too; see isKnownCommand); an empty
// payload is an error. Does not allocate on success.
Result<Command> commandOf(Bytes payload);
bool isKnownCommand(uint8_t byte);
std::string_view commandName(Command c);

// Argument decoders. Each takes the whole payload, command byte included, and checks it. The
// returned views point into payload.
// COM_QUERY: the SQL text. (MySQL 8's CLIENT_QUERY_ATTRIBUTES prefix is never negotiated.)
Result<std::string_view> decodeQuery(Bytes payload);
// COM_INIT_DB: the schema name.
Result<std::string_view> decodeInitDb(Bytes payload);

struct FieldListCommand {
  std::string_view table;
  std::string_view wildcard;
};
Result<FieldListCommand> decodeFieldList(Bytes payload);
// COM_PROCESS_KILL: the connection id.
Result<uint32_t> decodeProcessKill(Bytes payload);
// COM_SET_OPTION: kMysqlOptionMultiStatementsOn or ...Off.
Result<uint16_t> decodeSetOption(Bytes payload);

// COM_CHANGE_USER. https://mariadb.com/kb/en/com_change_user/
struct ChangeUserCommand {
  std::string username;
  std::string authResponse;  // Raw bytes.
  std::string database;
  // Absent in very old clients; the packet may end after the database.
  std::optional<uint16_t> characterSet;
  std::string authPluginName;           // Only with CLIENT_PLUGIN_AUTH.
  ConnectAttributes connectAttributes;  // Only with CLIENT_CONNECT_ATTRS.

  // caps: the capabilities negotiated for the connection.
  static Result<ChangeUserCommand> decode(Bytes payload, uint32_t caps);
  // Appends the whole payload, command byte included. REQUIRES: with
  // CLIENT_SECURE_CONNECTION the auth response is at most 255 bytes, else it has no NUL.
  // Without characterSet, nothing after the database is written.
  void encode(std::string& out, uint32_t caps) const;

  friend bool operator==(const ChangeUserCommand&, const ChangeUserCommand&) = default;
};

// Encoders append a whole payload (no packet header; sequence id 0 is the caller's to frame).
void encodeQuery(std::string& out, std::string_view sql);
void encodeInitDb(std::string& out, std::string_view schema);
void encodeStmtPrepare(std::string& out, std::string_view sql);
void encodeStmtClose(std::string& out, uint32_t statementId);
void encodePing(std::string& out);
void encodeQuit(std::string& out);
void encodeResetConnection(std::string& out);
void encodeSetOption(std::string& out, uint16_t option);
void encodeProcessKill(std::string& out, uint32_t connectionId);

}  // namespace rwproxy::protocol

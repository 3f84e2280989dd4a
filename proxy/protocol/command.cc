#include "proxy/protocol/command.h"

namespace rwproxy::protocol {

namespace {

// Checks the command byte and returns a reader positioned after it.
Result<Reader> argumentsOf(Bytes payload, Command expected) {
  if (payload.empty() || payload[0] != static_cast<uint8_t>(expected)) {
    return Error::malformed("expected " + std::string(commandName(expected)));
  }
  return Reader(payload.subspan(1));
}

void encodeSimple(std::string& out, Command c) { out.push_back(static_cast<char>(c)); }

}  // namespace

Result<Command> commandOf(Bytes payload) {
  if (payload.empty()) return Error::malformed("empty command packet");
  return static_cast<Command>(payload[0]);
}

bool isKnownCommand(uint8_t byte) {
  return byte <= static_cast<uint8_t>(Command::ResetConnection) ||
         byte == static_cast<uint8_t>(Command::StmtBulkExecute);
}

std::string_view commandName(Command c) {
  switch (c) {
    case Command::Sleep:
      return "COM_SLEEP";
    case Command::Quit:
      return "COM_QUIT";
    case Command::InitDb:
      return "COM_INIT_DB";
    case Command::Query:
      return "COM_QUERY";
    case Command::FieldList:
      return "COM_FIELD_LIST";
    case Command::CreateDb:
      return "COM_CREATE_DB";
    case Command::DropDb:
      return "COM_DROP_DB";
    case Command::Refresh:
      return "COM_REFRESH";
    case Command::Shutdown:
      return "COM_SHUTDOWN";
    case Command::Statistics:
      return "COM_STATISTICS";
    case Command::ProcessInfo:
      return "COM_PROCESS_INFO";
    case Command::Connect:
      return "COM_CONNECT";
    case Command::ProcessKill:
      return "COM_PROCESS_KILL";
    case Command::Debug:
      return "COM_DEBUG";
    case Command::Ping:
      return "COM_PING";
    case Command::Time:
      return "COM_TIME";
    case Command::DelayedInsert:
      return "COM_DELAYED_INSERT";
    case Command::ChangeUser:
      return "COM_CHANGE_USER";
    case Command::BinlogDump:
      return "COM_BINLOG_DUMP";
    case Command::TableDump:
      return "COM_TABLE_DUMP";
    case Command::ConnectOut:
      return "COM_CONNECT_OUT";
    case Command::RegisterSlave:
      return "COM_REGISTER_SLAVE";
    case Command::StmtPrepare:
      return "COM_STMT_PREPARE";
    case Command::StmtExecute:
      return "COM_STMT_EXECUTE";
    case Command::StmtSendLongData:
      return "COM_STMT_SEND_LONG_DATA";
    case Command::StmtClose:
      return "COM_STMT_CLOSE";
    case Command::StmtReset:
      return "COM_STMT_RESET";
    case Command::SetOption:
      return "COM_SET_OPTION";
    case Command::StmtFetch:
      return "COM_STMT_FETCH";
    case Command::Daemon:
      return "COM_DAEMON";
    case Command::BinlogDumpGtid:
      return "COM_BINLOG_DUMP_GTID";
    case Command::ResetConnection:
      return "COM_RESET_CONNECTION";
    case Command::StmtBulkExecute:
      return "COM_STMT_BULK_EXECUTE";
  }
  return "COM_UNKNOWN";
}

Result<std::string_view> decodeQuery(Bytes payload) {
  Result<Reader> r = argumentsOf(payload, Command::Query);
  if (!r) return std::move(r).error();
  return *r->restString();
}

Result<std::string_view> decodeInitDb(Bytes payload) {
  Result<Reader> r = argumentsOf(payload, Command::InitDb);
  if (!r) return std::move(r).error();
  return *r->restString();
}

Result<FieldListCommand> decodeFieldList(Bytes payload) {
  Result<Reader> r = argumentsOf(payload, Command::FieldList);
  if (!r) return std::move(r).error();
  std::optional<std::string_view> table = r->nulString();
  if (!table) return Error::malformed("COM_FIELD_LIST table");
  return FieldListCommand{*table, *r->restString()};
}

Result<uint32_t> decodeProcessKill(Bytes payload) {
  Result<Reader> r = argumentsOf(payload, Command::ProcessKill);
  if (!r) return std::move(r).error();
  std::optional<uint32_t> id = r->u32();
  if (!id || !r->empty()) return Error::malformed("COM_PROCESS_KILL id");
  return *id;
}

Result<uint16_t> decodeSetOption(Bytes payload) {
  Result<Reader> r = argumentsOf(payload, Command::SetOption);
  if (!r) return std::move(r).error();
  std::optional<uint16_t> option = r->u16();
  if (!option || !r->empty()) return Error::malformed("COM_SET_OPTION option");
  return *option;
}

Result<ChangeUserCommand> ChangeUserCommand::decode(Bytes payload, uint32_t caps) {
  Result<Reader> args = argumentsOf(payload, Command::ChangeUser);
  if (!args) return std::move(args).error();
  Reader& r = *args;
  ChangeUserCommand c;
  if (!r.nulString(c.username)) return Error::malformed("COM_CHANGE_USER user name");
  bool authOk = false;
  if (caps & kClientSecureConnection) {
    std::optional<uint8_t> n = r.u8();
    authOk = n && r.fixedString(c.authResponse, *n);
  } else {
    authOk = r.nulString(c.authResponse);
  }
  if (!authOk) return Error::malformed("COM_CHANGE_USER auth data");
  if (!r.nulString(c.database)) return Error::malformed("COM_CHANGE_USER database");
  if (r.empty()) return c;
  c.characterSet = r.u16();
  if (!c.characterSet) return Error::malformed("COM_CHANGE_USER character set");
  if ((caps & kClientPluginAuth) && !r.nulString(c.authPluginName)) {
    return Error::malformed("COM_CHANGE_USER plugin");
  }
  if (caps & kClientConnectAttrs) {
    Status s = decodeConnectAttributes(r, c.connectAttributes);
    if (!s) return std::move(s).error();
  }
  if (!r.empty()) return Error::malformed("COM_CHANGE_USER trailing bytes");
  return c;
}

void ChangeUserCommand::encode(std::string& out, uint32_t caps) const {
  Writer w(out);
  w.u8(static_cast<uint8_t>(Command::ChangeUser)).nulString(username);
  if (caps & kClientSecureConnection) {
    w.u8(static_cast<uint8_t>(authResponse.size())).bytes(authResponse);
  } else {
    w.nulString(authResponse);
  }
  w.nulString(database);
  if (!characterSet) return;
  w.u16(*characterSet);
  if (caps & kClientPluginAuth) w.nulString(authPluginName);
  if (caps & kClientConnectAttrs) encodeConnectAttributes(out, connectAttributes);
}

void encodeQuery(std::string& out, std::string_view sql) {
  encodeSimple(out, Command::Query);
  out.append(sql);
}

void encodeInitDb(std::string& out, std::string_view schema) {
  encodeSimple(out, Command::InitDb);
  out.append(schema);
}

void encodeStmtPrepare(std::string& out, std::string_view sql) {
  encodeSimple(out, Command::StmtPrepare);
  out.append(sql);
}

void encodeStmtClose(std::string& out, uint32_t statementId) {
  encodeSimple(out, Command::StmtClose);
  Writer(out).u32(statementId);
}

void encodePing(std::string& out) { encodeSimple(out, Command::Ping); }
void encodeQuit(std::string& out) { encodeSimple(out, Command::Quit); }
void encodeResetConnection(std::string& out) { encodeSimple(out, Command::ResetConnection); }

void encodeSetOption(std::string& out, uint16_t option) {
  Writer(out).u8(static_cast<uint8_t>(Command::SetOption)).u16(option);
}

void encodeProcessKill(std::string& out, uint32_t connectionId) {
  Writer(out).u8(static_cast<uint8_t>(Command::ProcessKill)).u32(connectionId);
}

}  // namespace rwproxy::protocol

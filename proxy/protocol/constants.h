// Protocol constants: capability flags, server status flags, commands, column types and the
// error codes the proxy sends or recognises.
// https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html
// https://mariadb.com/kb/en/connection/#capabilities
#pragma once

#include <cstdint>

namespace rwproxy::protocol {

// Capability flags (32 bits exchanged in the handshake).
constexpr uint32_t kClientLongPassword = 1u << 0;  // MariaDB calls bit 0 CLIENT_MYSQL.
constexpr uint32_t kClientMysql = 1u << 0;
constexpr uint32_t kClientFoundRows = 1u << 1;
constexpr uint32_t kClientLongFlag = 1u << 2;
constexpr uint32_t kClientConnectWithDb = 1u << 3;
constexpr uint32_t kClientNoSchema = 1u << 4;
constexpr uint32_t kClientCompress = 1u << 5;
constexpr uint32_t kClientOdbc = 1u << 6;
constexpr uint32_t kClientLocalFiles = 1u << 7;
constexpr uint32_t kClientIgnoreSpace = 1u << 8;
constexpr uint32_t kClientProtocol41 = 1u << 9;
constexpr uint32_t kClientInteractive = 1u << 10;
constexpr uint32_t kClientSsl = 1u << 11;
constexpr uint32_t kClientIgnoreSigpipe = 1u << 12;
constexpr uint32_t kClientTransactions = 1u << 13;
constexpr uint32_t kClientReserved = 1u << 14;
constexpr uint32_t kClientSecureConnection = 1u << 15;
constexpr uint32_t kClientMultiStatements = 1u << 16;
constexpr uint32_t kClientMultiResults = 1u << 17;
constexpr uint32_t kClientPsMultiResults = 1u << 18;
constexpr uint32_t kClientPluginAuth = 1u << 19;
constexpr uint32_t kClientConnectAttrs = 1u << 20;
constexpr uint32_t kClientPluginAuthLenencClientData = 1u << 21;
constexpr uint32_t kClientCanHandleExpiredPasswords = 1u << 22;
constexpr uint32_t kClientSessionTrack = 1u << 23;
constexpr uint32_t kClientDeprecateEof = 1u << 24;
constexpr uint32_t kClientOptionalResultsetMetadata = 1u << 25;
constexpr uint32_t kClientZstdCompression = 1u << 26;
constexpr uint32_t kClientQueryAttributes = 1u << 27;
constexpr uint32_t kClientSslVerifyServerCert = 1u << 30;
constexpr uint32_t kClientRememberOptions = 1u << 31;

// MariaDB extended capabilities (the second 32 bits, sent in filler bytes when bit 0 is clear).
// https://mariadb.com/kb/en/connection/#capabilities
constexpr uint32_t kMariadbClientProgress = 1u << 0;
constexpr uint32_t kMariadbClientComMulti = 1u << 1;
constexpr uint32_t kMariadbClientStmtBulkOperations = 1u << 2;
constexpr uint32_t kMariadbClientExtendedMetadata = 1u << 3;
constexpr uint32_t kMariadbClientCacheMetadata = 1u << 4;

// Server status flags (OK and EOF packets).
constexpr uint16_t kServerStatusInTrans = 0x0001;
constexpr uint16_t kServerStatusAutocommit = 0x0002;
constexpr uint16_t kServerMoreResultsExists = 0x0008;
constexpr uint16_t kServerQueryNoGoodIndexUsed = 0x0010;
constexpr uint16_t kServerQueryNoIndexUsed = 0x0020;
constexpr uint16_t kServerStatusCursorExists = 0x0040;
constexpr uint16_t kServerStatusLastRowSent = 0x0080;
constexpr uint16_t kServerStatusDbDropped = 0x0100;
constexpr uint16_t kServerStatusNoBackslashEscapes = 0x0200;
constexpr uint16_t kServerStatusMetadataChanged = 0x0400;
constexpr uint16_t kServerQueryWasSlow = 0x0800;
constexpr uint16_t kServerPsOutParams = 0x1000;
constexpr uint16_t kServerStatusInTransReadonly = 0x2000;
constexpr uint16_t kServerSessionStateChanged = 0x4000;

// Session state tracker types (the OK packet's session state info).
constexpr uint8_t kSessionTrackSystemVariables = 0x00;
constexpr uint8_t kSessionTrackSchema = 0x01;
constexpr uint8_t kSessionTrackStateChange = 0x02;
constexpr uint8_t kSessionTrackGtids = 0x03;
constexpr uint8_t kSessionTrackTransactionCharacteristics = 0x04;
constexpr uint8_t kSessionTrackTransactionState = 0x05;

// First byte of a response payload.
constexpr uint8_t kOkHeader = 0x00;
constexpr uint8_t kEofHeader = 0xFE;
constexpr uint8_t kErrHeader = 0xFF;
constexpr uint8_t kLocalInfileHeader = 0xFB;
constexpr uint8_t kAuthSwitchHeader = 0xFE;
constexpr uint8_t kAuthMoreDataHeader = 0x01;

// caching_sha2_password: the byte after kAuthMoreDataHeader in the fast-auth reply.
constexpr uint8_t kCachingSha2FastAuthSuccess = 0x03;
constexpr uint8_t kCachingSha2PerformFullAuth = 0x04;

// Command bytes: the first byte of every client request.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
enum class Command : uint8_t {
  Sleep = 0x00,
  Quit = 0x01,
  InitDb = 0x02,
  Query = 0x03,
  FieldList = 0x04,
  CreateDb = 0x05,
  DropDb = 0x06,
  Refresh = 0x07,
  Shutdown = 0x08,
  Statistics = 0x09,
  ProcessInfo = 0x0a,
  Connect = 0x0b,
  ProcessKill = 0x0c,
  Debug = 0x0d,
  Ping = 0x0e,
  Time = 0x0f,
  DelayedInsert = 0x10,
  ChangeUser = 0x11,
  BinlogDump = 0x12,
  TableDump = 0x13,
  ConnectOut = 0x14,
  RegisterSlave = 0x15,
  StmtPrepare = 0x16,
  StmtExecute = 0x17,
  StmtSendLongData = 0x18,
  StmtClose = 0x19,
  StmtReset = 0x1a,
  SetOption = 0x1b,
  StmtFetch = 0x1c,
  Daemon = 0x1d,
  BinlogDumpGtid = 0x1e,
  ResetConnection = 0x1f,
  StmtBulkExecute = 0xfa,  // MariaDB
};

// COM_SET_OPTION arguments.
constexpr uint16_t kMysqlOptionMultiStatementsOn = 0;
constexpr uint16_t kMysqlOptionMultiStatementsOff = 1;

// Column types (ColumnDefinition41::type).
enum class ColumnType : uint8_t {
  Decimal = 0x00,
  Tiny = 0x01,
  Short = 0x02,
  Long = 0x03,
  Float = 0x04,
  Double = 0x05,
  Null = 0x06,
  Timestamp = 0x07,
  LongLong = 0x08,
  Int24 = 0x09,
  Date = 0x0a,
  Time = 0x0b,
  DateTime = 0x0c,
  Year = 0x0d,
  NewDate = 0x0e,
  VarChar = 0x0f,
  Bit = 0x10,
  Json = 0xf5,
  NewDecimal = 0xf6,
  Enum = 0xf7,
  Set = 0xf8,
  TinyBlob = 0xf9,
  MediumBlob = 0xfa,
  LongBlob = 0xfb,
  Blob = 0xfc,
  VarString = 0xfd,
  String = 0xfe,
  Geometry = 0xff,
};

// Column flags (ColumnDefinition41::flags).
constexpr uint16_t kColumnNotNull = 0x0001;
constexpr uint16_t kColumnPrimaryKey = 0x0002;
constexpr uint16_t kColumnUniqueKey = 0x0004;
constexpr uint16_t kColumnMultipleKey = 0x0008;
constexpr uint16_t kColumnBlob = 0x0010;
constexpr uint16_t kColumnUnsigned = 0x0020;
constexpr uint16_t kColumnZerofill = 0x0040;
constexpr uint16_t kColumnBinary = 0x0080;
constexpr uint16_t kColumnEnum = 0x0100;
constexpr uint16_t kColumnAutoIncrement = 0x0200;
constexpr uint16_t kColumnTimestamp = 0x0400;
constexpr uint16_t kColumnSet = 0x0800;
constexpr uint16_t kColumnNoDefaultValue = 0x1000;
constexpr uint16_t kColumnOnUpdateNow = 0x2000;
constexpr uint16_t kColumnNum = 0x8000;

// Character sets (collation ids) we name in code.
constexpr uint8_t kCharsetLatin1SwedishCi = 8;
constexpr uint8_t kCharsetUtf8GeneralCi = 33;
constexpr uint8_t kCharsetUtf8mb4GeneralCi = 45;
constexpr uint8_t kCharsetBinary = 63;

// Error codes (server errors 1xxx, client library errors 2xxx, ProxySQL's 9xxx).
constexpr uint16_t kErConCountError = 1040;            // Too many connections (08004)
constexpr uint16_t kErOutOfResources = 1041;           // (HY000)
constexpr uint16_t kErHandshakeError = 1043;           // Bad handshake (08S01)
constexpr uint16_t kErDbaccessDenied = 1044;           // Access denied to database (42000)
constexpr uint16_t kErAccessDenied = 1045;             // Access denied for user (28000)
constexpr uint16_t kErNoDbError = 1046;                // No database selected (3D000)
constexpr uint16_t kErUnknownComError = 1047;          // Unknown command (08S01)
constexpr uint16_t kErBadDbError = 1049;               // Unknown database (42000)
constexpr uint16_t kErServerShutdown = 1053;           // Server shutdown in progress (08S01)
constexpr uint16_t kErParseError = 1064;               // SQL syntax error (42000)
constexpr uint16_t kErNoSuchThread = 1094;             // Unknown thread id (HY000)
constexpr uint16_t kErQueryInterrupted = 1317;         // Query execution was interrupted (70100)
constexpr uint16_t kErNetPacketTooLarge = 1153;        // (08S01)
constexpr uint16_t kErNetReadErrorFromPipe = 1154;     // (08S01)
constexpr uint16_t kErNetFcntlError = 1155;            // (08S01)
constexpr uint16_t kErNetPacketsOutOfOrder = 1156;     // (08S01)
constexpr uint16_t kErNetUncompressError = 1157;       // (08S01)
constexpr uint16_t kErNetReadError = 1158;             // (08S01)
constexpr uint16_t kErNetReadInterrupted = 1159;       // (08S01)
constexpr uint16_t kErNetErrorOnWrite = 1160;          // (08S01)
constexpr uint16_t kErNetWriteInterrupted = 1161;      // (08S01)
constexpr uint16_t kErOptionPreventsStatement = 1290;  // e.g. --read-only (HY000)
constexpr uint16_t kErLockWaitTimeout = 1205;          // (HY000)
constexpr uint16_t kErLockDeadlock = 1213;             // (40001)
constexpr uint16_t kErNotSupportedAuthMode = 1251;     // Client does not support auth (08004)
constexpr uint16_t kErMalformedPacket = 1835;          // (HY000)
constexpr uint16_t kCrUnknownError = 2000;
constexpr uint16_t kCrConnectionError = 2002;
constexpr uint16_t kCrConnHostError = 2003;
constexpr uint16_t kCrServerGoneError = 2006;
constexpr uint16_t kCrServerLost = 2013;
constexpr uint16_t kCrCommandsOutOfSync = 2014;
constexpr uint16_t kCrMalformedPacket = 2027;
constexpr uint16_t kProxysqlMaxConnectTimeout = 9001;  // ProxySQL: max connect timeout reached

}  // namespace rwproxy::protocol

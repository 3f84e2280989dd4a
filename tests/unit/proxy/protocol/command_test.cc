#include "proxy/protocol/command.h"

#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

TEST_CASE("command byte", "[command]") {
  std::string q;
  encodeQuery(q, "SELECT 1");
  auto c = commandOf(asBytes(q));
  REQUIRE(c.ok());
  CHECK(*c == Command::Query);
  CHECK(commandName(*c) == "COM_QUERY");
  CHECK_FALSE(commandOf(Bytes{}).ok());
  CHECK(isKnownCommand(0x1f));
  CHECK(isKnownCommand(0xfa));
  CHECK_FALSE(isKnownCommand(0x20));
  CHECK(commandName(static_cast<Command>(0x77)) == "COM_UNKNOWN");
}

TEST_CASE("COM_QUERY and COM_INIT_DB", "[command]") {
  std::string q;
  encodeQuery(q, "select @@version_comment limit 1");
  CHECK(q[0] == 0x03);
  CHECK(decodeQuery(asBytes(q)).value() == "select @@version_comment limit 1");
  std::string empty = fromHex("03");
  CHECK(decodeQuery(asBytes(empty)).value().empty());
  CHECK_FALSE(decodeQuery(Bytes{}).ok());
  CHECK_FALSE(decodeInitDb(asBytes(q)).ok());  // Wrong command byte.

  std::string db;
  encodeInitDb(db, "rwtest");
  CHECK(toHex(db) == "02727774657374");
  CHECK(decodeInitDb(asBytes(db)).value() == "rwtest");
}

TEST_CASE("COM_STMT_PREPARE and COM_STMT_CLOSE", "[command]") {
  std::string prepare;
  encodeStmtPrepare(prepare, "SELECT ?");
  CHECK(toHex(prepare) == "1653454c454354203f");
  std::string close;
  encodeStmtClose(close, 0x01020304);
  CHECK(toHex(close) == "1904030201");  // the id little-endian
}

TEST_CASE("simple commands", "[command]") {
  std::string out;
  encodePing(out);
  encodeQuit(out);
  encodeResetConnection(out);
  CHECK(toHex(out) == "0e011f");
}

TEST_CASE("COM_FIELD_LIST", "[command]") {
  std::string payload = fromHex("04") + std::string("t1\0", 3) + "c%";
  auto f = decodeFieldList(asBytes(payload));
  REQUIRE(f.ok());
  CHECK(f->table == "t1");
  CHECK(f->wildcard == "c%");
  CHECK_FALSE(decodeFieldList(asBytes(fromHex("04 74 31"))).ok());
}

TEST_CASE("COM_PROCESS_KILL and COM_SET_OPTION", "[command]") {
  std::string kill;
  encodeProcessKill(kill, 0x01020304);
  CHECK(toHex(kill) == "0c04030201");
  CHECK(decodeProcessKill(asBytes(kill)).value() == 0x01020304u);
  forEachPrefix(kill, [](Bytes p, size_t) { CHECK_FALSE(decodeProcessKill(p).ok()); });
  CHECK_FALSE(decodeProcessKill(asBytes(kill + "x")).ok());

  std::string opt;
  encodeSetOption(opt, kMysqlOptionMultiStatementsOff);
  CHECK(toHex(opt) == "1b0100");
  CHECK(decodeSetOption(asBytes(opt)).value() == kMysqlOptionMultiStatementsOff);
  forEachPrefix(opt, [](Bytes p, size_t) { CHECK_FALSE(decodeSetOption(p).ok()); });
}

ChangeUserCommand sampleChangeUser(uint32_t caps) {
  ChangeUserCommand c;
  c.username = "app";
  c.authResponse = "01234567890123456789";
  c.database = "rwtest";
  c.characterSet = kCharsetUtf8mb4GeneralCi;
  if (caps & kClientPluginAuth) c.authPluginName = "mysql_native_password";
  if (caps & kClientConnectAttrs) c.connectAttributes = {{"_client_name", "rwproxy"}};
  return c;
}

TEST_CASE("COM_CHANGE_USER round-trips under each capability set", "[command]") {
  const uint32_t optional[] = {kClientSecureConnection, kClientPluginAuth, kClientConnectAttrs};
  for (uint32_t mask = 0; mask < 8; ++mask) {
    uint32_t caps = kClientProtocol41;
    for (size_t i = 0; i < 3; ++i) {
      if (mask & (1u << i)) caps |= optional[i];
    }
    INFO("capabilities " << caps);
    ChangeUserCommand c = sampleChangeUser(caps);
    std::string out;
    c.encode(out, caps);
    auto back = ChangeUserCommand::decode(asBytes(out), caps);
    REQUIRE(back.ok());
    CHECK(*back == c);
  }
}

TEST_CASE("COM_CHANGE_USER layout and truncation", "[command]") {
  uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth;
  ChangeUserCommand c = sampleChangeUser(caps);
  std::string out;
  c.encode(out, caps);
  CHECK(toHex(out.substr(0, 6)) == "116170700014");  // 0x11, "app\0", length 20.
  size_t afterDatabase = 1 + 4 + 1 + 20 + 7;
  forEachPrefix(out, [&](Bytes prefix, size_t n) {
    auto back = ChangeUserCommand::decode(prefix, caps);
    if (n == afterDatabase) {
      // Old clients stop after the database.
      REQUIRE(back.ok());
      CHECK_FALSE(back->characterSet.has_value());
    } else {
      CHECK_FALSE(back.ok());
    }
  });
  CHECK_FALSE(ChangeUserCommand::decode(asBytes(out + "x"), caps).ok());
}

}  // namespace
}  // namespace rwproxy::protocol

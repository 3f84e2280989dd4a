#include "proxy/protocol/session_state.h"

#include <cstdint>
#include <string>
#include <vector>

#include "proxy/protocol/constants.h"
#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;

constexpr uint32_t kCapsTrack = kClientProtocol41 | kClientTransactions | kClientSessionTrack;

using Changes = std::vector<SessionStateChange>;

Changes decodeOk(const std::string& payload) {
  auto info = sessionStateInfoOf(asBytes(payload), kCapsTrack);
  REQUIRE(info);
  Changes out;
  REQUIRE(decodeSessionState(*info, out));
  return out;
}

TEST_CASE("system variable records give each variable's new value", "[session_state]") {
  CHECK(decodeOk(fromHex(test::kSqlModeOk)) ==
        Changes{{kSessionTrackSystemVariables, "sql_mode",
                 "PIPES_AS_CONCAT,STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
                 "NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"}});
  CHECK(decodeOk(fromHex(test::kTwoVariablesOk)) ==
        Changes{{kSessionTrackSystemVariables, "time_zone", "SYSTEM"},
                {kSessionTrackSystemVariables, "max_join_size", "1000000"}});
  CHECK(decodeOk(fromHex(test::kNullValueOk)) ==
        Changes{{kSessionTrackSystemVariables, "character_set_results", ""}});
}

TEST_CASE("schema and state change records", "[session_state]") {
  CHECK(decodeOk(fromHex(test::kLoginOk).substr(4)) ==
        Changes{{kSessionTrackSchema, "rwtest", ""}});
  CHECK(decodeOk(fromHex(test::kVariableAndStateOk)) ==
        Changes{{kSessionTrackSystemVariables, "max_join_size", "18446744073709551615"},
                {kSessionTrackStateChange, "1", ""}});
  CHECK(decodeOk(fromHex(test::kStateOnlyOk)) == Changes{{kSessionTrackStateChange, "1", ""}});
}

TEST_CASE("several pairs in one record, and records of other types", "[session_state]") {
  std::string info = fromHex("00 07 01 61 01 31 01 62 00") +  // a=1, b=''
                     fromHex("05 03 02 5f 54") +              // transaction state "_T"
                     fromHex("7f 00");                        // an unknown type, empty
  Changes out;
  REQUIRE(decodeSessionState(asBytes(info), out));
  CHECK(out == Changes{{kSessionTrackSystemVariables, "a", "1"},
                       {kSessionTrackSystemVariables, "b", ""},
                       {kSessionTrackTransactionState, "", fromHex("02 5f 54")},
                       {0x7f, "", ""}});
}

TEST_CASE("an OK without state info has an empty one", "[session_state]") {
  std::string plain = fromHex("00 00 00 02 00 00 00");
  auto info = sessionStateInfoOf(asBytes(plain), kCapsTrack);
  REQUIRE(info);
  CHECK(info->empty());
  // Without CLIENT_SESSION_TRACK the bytes after the status are info text, never state.
  std::string tracked = fromHex(test::kSqlModeOk);
  info = sessionStateInfoOf(asBytes(tracked), kClientProtocol41 | kClientTransactions);
  REQUIRE(info);
  CHECK(info->empty());
  std::string notOk = fromHex("ff 14 04");
  CHECK_FALSE(sessionStateInfoOf(asBytes(notOk), kCapsTrack));
}

TEST_CASE("every truncation of an OK with state info is refused", "[session_state]") {
  for (const char* hex :
       {test::kSqlModeOk, test::kTwoVariablesOk, test::kVariableAndStateOk, test::kStateOnlyOk}) {
    forEachPrefix(fromHex(hex), [](Bytes prefix, size_t) {
      CHECK_FALSE(sessionStateInfoOf(prefix, kCapsTrack));
    });
  }
}

TEST_CASE("truncated state info fails or yields whole records only", "[session_state]") {
  for (const char* hex : {test::kSqlModeOk, test::kTwoVariablesOk, test::kVariableAndStateOk}) {
    std::string payload = fromHex(hex);
    Changes full = decodeOk(payload);
    auto info = sessionStateInfoOf(asBytes(payload), kCapsTrack);
    REQUIRE(info);
    std::string infoBytes(asStringView(*info));
    forEachPrefix(infoBytes, [&](Bytes prefix, size_t n) {
      Changes out;
      if (decodeSessionState(prefix, out)) {
        // Only a cut between records reads, and then as the records before the cut.
        REQUIRE(out.size() <= full.size());
        CHECK(out.size() < full.size());
        for (size_t i = 0; i < out.size(); ++i) {
          CHECK(out[i].type == full[i].type);
          CHECK(out[i].name == full[i].name);
          CHECK(out[i].value == full[i].value);
        }
        CHECK((n == 0 || out.size() > 0));
      }
    });
  }
}

TEST_CASE("malformed records are errors", "[session_state]") {
  const char* const bad[] = {
      "00",                                   // no length
      "00 05 01 61",                          // record longer than the info
      "00 02 01 61",                          // variable without a value
      "00 00",                                // empty variable record
      "00 04 01 61 02 31",                    // value longer than the record
      "01 03 01 61 62",                       // schema record with a byte left over
      "00 03 01 61 00 ff",                    // a good record, then a type without a length
      "00 0b fe 00 00 00 00 00 00 00 80 00",  // absurd lenenc inside a record
  };
  for (const char* hex : bad) {
    INFO(hex);
    std::string info = fromHex(hex);
    auto copy = test::exactCopy(info);
    Changes out;
    CHECK_FALSE(decodeSessionState(Bytes(copy.get(), info.size()), out));
  }
}

TEST_CASE("garbage never reads outside its input", "[session_state]") {
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<uint8_t>(seed >> 16);
  };
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(next() % 48, '\0');
    for (char& c : bytes) {
      // Small values make plausible types and lengths.
      c = static_cast<char>(next() % 4 == 0 ? next() : next() % 8);
    }
    auto copy = test::exactCopy(bytes);
    Bytes in(copy.get(), bytes.size());
    Changes out;
    (void)decodeSessionState(in, out);
    const char* begin = reinterpret_cast<const char*>(copy.get());
    for (const auto& c : out) {
      for (std::string_view v : {c.name, c.value}) {
        CHECK((v.empty() || (v.data() >= begin && v.data() + v.size() <= begin + bytes.size())));
      }
    }
    (void)sessionStateInfoOf(in, kCapsTrack);
  }
}

}  // namespace
}  // namespace rwproxy::protocol

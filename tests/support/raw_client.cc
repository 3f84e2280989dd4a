#include "tests/support/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "proxy/protocol/auth.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/handshake.h"
#include "proxy/protocol/handshake_response.h"

namespace rwproxy::test {

namespace p = rwproxy::protocol;

namespace {

constexpr uint32_t kBaseFlags = p::kClientLongPassword | p::kClientLongFlag | p::kClientProtocol41 |
                                p::kClientTransactions | p::kClientSecureConnection |
                                p::kClientPluginAuth;

// Reads a length-encoded integer at pos; false when it does not fit. 0xFB is left to callers.
bool lenenc(const std::string& s, size_t& pos, uint64_t& out) {
  if (pos >= s.size()) {
    return false;
  }
  auto first = static_cast<uint8_t>(s[pos++]);
  size_t width = first < 0xFB ? 0 : first == 0xFC ? 2 : first == 0xFD ? 3 : first == 0xFE ? 8 : 99;
  if (width == 99 || pos + width > s.size()) {
    return false;
  }
  out = width == 0 ? first : 0;
  for (size_t i = 0; i < width; ++i) {
    out |= static_cast<uint64_t>(static_cast<uint8_t>(s[pos + i])) << (8 * i);
  }
  pos += width;
  return true;
}

bool lenencString(const std::string& s, size_t& pos, std::string& out) {
  uint64_t n = 0;
  if (!lenenc(s, pos, n) || n > s.size() - pos) {
    return false;
  }
  out = s.substr(pos, n);
  pos += n;
  return true;
}

uint16_t u16(const std::string& s, size_t pos) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[pos]) | static_cast<uint8_t>(s[pos + 1])
                                                                  << 8);
}

bool isErr(const std::string& payload) { return !payload.empty() && payload[0] == '\xff'; }

std::string errText(const std::string& payload) {
  // 0xFF, code, '#', 5-character SQLSTATE, message.
  return payload.size() > 9 ? payload.substr(9) : std::string("ERR");
}

}  // namespace

RawClient::~RawClient() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool RawClient::fail(const std::string& what) {
  error_ = what;
  return false;
}

bool RawClient::writePacket(const std::string& payload, uint8_t seq) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() & 0xFF));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xFF));
  out.push_back(static_cast<char>(seq));
  out += payload;
  return ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()) ||
         fail("send failed");
}

bool RawClient::readPacket(std::string& payload, uint8_t expectedSeq, std::string* raw) {
  auto readAll = [this](char* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, buf + got, n - got, 0);
      if (r <= 0) {
        return false;
      }
      got += static_cast<size_t>(r);
    }
    return true;
  };
  char header[4];
  if (!readAll(header, 4)) {
    return fail("connection closed or timed out reading a packet header");
  }
  size_t length = static_cast<uint8_t>(header[0]) | static_cast<uint8_t>(header[1]) << 8 |
                  static_cast<uint8_t>(header[2]) << 16;
  auto seq = static_cast<uint8_t>(header[3]);
  payload.assign(length, '\0');
  if (!readAll(payload.data(), length)) {
    return fail("connection closed reading a packet body");
  }
  if (raw != nullptr) {
    raw->append(header, 4).append(payload);
  }
  if (seq != expectedSeq) {
    return fail("sequence id " + std::to_string(seq) + ", expected " + std::to_string(expectedSeq));
  }
  return true;
}

bool RawClient::connect(int port, const std::string& user, const std::string& password,
                        const std::string& database, uint32_t extraFlags) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("cannot connect to port " + std::to_string(port));
  }
  std::string payload;
  if (!readPacket(payload, 0, nullptr)) {
    return false;
  }
  auto hello = p::HandshakeV10::decode(p::asBytes(payload));
  if (!hello) {
    return fail("bad greeting: " + hello.error().message);
  }
  p::HandshakeResponse41 login;
  login.capabilities =
      (kBaseFlags | extraFlags | (database.empty() ? 0 : p::kClientConnectWithDb)) &
      hello.value().capabilities;
  login.maxPacketSize = 16 * 1024 * 1024;
  login.characterSet = 45;
  login.username = user;
  std::string salt = hello.value().authPluginData.substr(0, p::kScrambleSize);
  login.authResponse = p::nativeAuthResponse(password, p::asBytes(salt));
  if (!database.empty()) {
    login.database = database;
  }
  login.authPluginName = p::kNativePasswordPlugin;
  std::string out;
  login.encode(out);
  if (!writePacket(out, 1) || !readPacket(payload, 2, nullptr)) {
    return false;
  }
  if (payload.empty() || payload[0] != '\0') {
    return fail(isErr(payload) ? errText(payload) : "unexpected login reply");
  }
  capabilities_ = login.capabilities;
  return true;
}

bool RawClient::readRow(const std::string& payload, size_t columns, Row& row) {
  size_t pos = 0;
  for (size_t i = 0; i < columns; ++i) {
    if (pos < payload.size() && static_cast<uint8_t>(payload[pos]) == 0xFB) {
      row.emplace_back(std::nullopt);
      ++pos;
      continue;
    }
    std::string value;
    if (!lenencString(payload, pos, value)) {
      return fail("a row that does not parse");
    }
    row.emplace_back(std::move(value));
  }
  return pos == payload.size() || fail("a row with extra bytes");
}

std::optional<RawResult> RawClient::query(const std::string& sql) {
  RawResult result;
  uint8_t seq = 1;
  if (!writePacket(std::string(1, '\x03') + sql, 0) || !readColumns(result, seq) ||
      !readRows(result, seq)) {
    return std::nullopt;
  }
  return result;
}

std::optional<std::string> RawClient::command(const std::string& payload) {
  std::string reply;
  if (!writePacket(payload, 0) || !readPacket(reply, 1, nullptr)) {
    return std::nullopt;
  }
  return reply;
}

std::optional<std::string> RawClient::next(uint8_t seq) {
  std::string reply;
  if (!readPacket(reply, seq, nullptr)) {
    return std::nullopt;
  }
  return reply;
}

bool RawClient::readColumns(RawResult& result, uint8_t& seq) {
  std::string payload;
  if (!readPacket(payload, seq++, &result.bytes)) {
    return false;
  }
  if (isErr(payload)) {
    return fail(errText(payload));
  }
  size_t pos = 0;
  uint64_t columns = 0;
  if (payload[0] == '\0' || !lenenc(payload, pos, columns) || pos != payload.size()) {
    return fail("not a result set");
  }
  for (uint64_t i = 0; i < columns; ++i) {
    if (!readPacket(payload, seq++, &result.bytes)) {
      return false;
    }
    std::string part;
    size_t at = 0;
    for (int k = 0; k < 5; ++k) {  // catalog, schema, table, org_table, name
      if (!lenencString(payload, at, part)) {
        return fail("a column definition that does not parse");
      }
    }
    result.columns.push_back(part);
  }
  if ((capabilities_ & p::kClientDeprecateEof) != 0) {
    return true;
  }
  if (!readPacket(payload, seq++, &result.bytes)) {
    return false;
  }
  return (payload.size() == 5 && payload[0] == '\xfe') ||
         fail("no EOF after the column definitions");
}

bool RawClient::readRows(RawResult& result, uint8_t& seq) {
  const bool deprecateEof = (capabilities_ & p::kClientDeprecateEof) != 0;
  std::string payload;
  for (;;) {
    if (!readPacket(payload, seq++, &result.bytes)) {
      return false;
    }
    if (isErr(payload)) {
      return fail(errText(payload));
    }
    if (payload[0] == '\xfe' && (deprecateEof ? payload.size() < 0xFFFFFF : payload.size() < 9)) {
      break;
    }
    Row row;
    if (!readRow(payload, result.columns.size(), row)) {
      return false;
    }
    result.rows.push_back(std::move(row));
  }
  if (!deprecateEof) {
    if (payload.size() != 5) {
      return fail("a bad EOF after the rows");
    }
    result.warnings = u16(payload, 1);
    result.statusFlags = u16(payload, 3);
    return true;
  }
  // The OK that ends the rows: 0xFE, affected rows, insert id, status, warnings.
  size_t pos = 1;
  uint64_t ignored = 0;
  if (!lenenc(payload, pos, ignored) || !lenenc(payload, pos, ignored) ||
      pos + 4 > payload.size()) {
    return fail("a bad OK after the rows");
  }
  result.statusFlags = u16(payload, pos);
  result.warnings = u16(payload, pos + 2);
  return true;
}

}  // namespace rwproxy::test

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/mysql_client.h"

namespace rwproxy::test {

// What a raw text query returned, read strictly by the negotiated wire format.
struct RawResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  uint16_t statusFlags = 0;  // of the EOF / OK that ended the rows
  uint16_t warnings = 0;
  std::string bytes;  // every packet of the reply, headers included
};

// A minimal MySQL client over a blocking loopback socket that chooses its capability flags:
// libmariadb never offers CLIENT_DEPRECATE_EOF, so this is how a test talks to the proxy as a
// client that does (MySQL's own connectors, for instance). Logs in with
// mysql_native_password; reads replies packet by packet and fails on anything the negotiated
// format does not allow (a wrong sequence id, an EOF where the flavour has none, trailing
// packets).
class RawClient {
 public:
  RawClient() = default;
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Connects to 127.0.0.1:port and logs in, offering the basic 4.1 flags plus `extraFlags`
  // (e.g. CLIENT_DEPRECATE_EOF, 1 << 24). False with error() set on failure.
  bool connect(int port, const std::string& user, const std::string& password,
               const std::string& database, uint32_t extraFlags);
  // The flags both sides agreed on.
  uint32_t capabilities() const { return capabilities_; }

  // COM_QUERY; the text result set, or nullopt with error() set (an ERR, or a protocol
  // violation).
  std::optional<RawResult> query(const std::string& sql);
  // Any command payload (command byte first) and the first packet of its reply; nullopt with
  // error() set when none comes.
  std::optional<std::string> command(const std::string& payload);
  // The next packet of a reply, which must carry sequence id `seq`.
  std::optional<std::string> next(uint8_t seq);
  const std::string& error() const { return error_; }

 private:
  bool readPacket(std::string& payload, uint8_t expectedSeq, std::string* raw);
  bool writePacket(const std::string& payload, uint8_t seq);
  bool fail(const std::string& what);
  bool readRow(const std::string& payload, size_t columns, Row& row);
  // A reply's column count and definitions (and the EOF after them without DEPRECATE_EOF),
  // then its rows and terminator; `seq` is the next expected sequence id.
  bool readColumns(RawResult& result, uint8_t& seq);
  bool readRows(RawResult& result, uint8_t& seq);

  int fd_ = -1;
  uint32_t capabilities_ = 0;
  std::string error_;
};

}  // namespace rwproxy::test

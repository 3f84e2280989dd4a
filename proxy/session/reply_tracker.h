#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rwproxy::session {

// What shape of reply a command gets from the server.
enum class ReplyShape {
  None,         // COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA: nothing comes back
  OkOrError,    // COM_PING, COM_INIT_DB, COM_RESET_CONNECTION, COM_SET_OPTION, COM_STMT_RESET
  ResultSets,   // COM_QUERY, COM_STMT_EXECUTE: OK, ERR or result sets, maybe several
  FieldList,    // COM_FIELD_LIST: column definitions then EOF, or ERR
  Statistics,   // COM_STATISTICS: one string packet
  StmtPrepare,  // COM_STMT_PREPARE: OK_stmt, parameter and column definitions, or ERR
  StmtFetch,    // COM_STMT_FETCH: rows then EOF, or ERR
};

// Follows a server's reply packet by packet to find where it ends, without keeping it: the
// proxy streams each packet to the client as it arrives and only needs the first bytes of each
// (https://mariadb.com/kb/en/result-set-packets/). It also keeps the one OK packet that reports
// a session state change (SERVER_SESSION_STATE_CHANGED), whole, when the scanner passed it whole
// (keepWhole). Pure: no I/O; allocates only to grow the buffer for that OK, which is reused.
class ReplyTracker {
 public:
  // Enough of a packet's payload to classify it and read an OK/EOF's status flags.
  static constexpr size_t kPrefixBytes = 32;

  // What the reply's OK / EOF packets said about session state.
  enum class StateReport {
    None,  // no packet reported a change
    Kept,  // exactly one OK did, and stateOk() is its whole payload
    Lost,  // a change was reported but not kept: by an EOF (which has no room for it), by an
           // OK that did not come whole (larger than the scanner keeps), or by several OKs
  };

  void begin(ReplyShape shape, bool deprecateEof);

  // Whether a packet of `length` bytes starting with `firstByte`, arriving next, may be an OK
  // packet (so the scanner should pass it whole): 0x00 where a reply may start with an OK,
  // 0xFE where DEPRECATE_EOF ends rows with one. Never a row of a result set (binary rows also
  // start with 0x00).
  bool keepWhole(uint32_t length, uint8_t firstByte) const;

  // One complete physical packet: its payload length and the first min(length, kPrefixBytes)
  // payload bytes, or all of them. Returns true when this packet ends the reply.
  bool onPacket(uint32_t length, std::span<const uint8_t> prefix);

  bool done() const { return state_ == State::Done; }
  // Status flags of the last OK or EOF seen (0 before any).
  uint16_t statusFlags() const { return statusFlags_; }
  // An OK or EOF was seen, so statusFlags() is the server's word (0 is a valid status: autocommit
  // off and no transaction).
  bool hasStatus() const { return hasStatus_; }
  bool failed() const { return errorCode_ != 0; }
  uint16_t errorCode() const { return errorCode_; }
  uint64_t affectedRows() const { return affectedRows_; }
  uint64_t lastInsertId() const { return lastInsertId_; }
  uint64_t rowCount() const { return rows_; }
  // Payload length of the last packet seen (the ERR's, once a reply failed).
  uint32_t lastPacketLength() const { return lastLength_; }
  // False when a packet did not fit the protocol (the connection cannot be trusted any more).
  bool wellFormed() const { return wellFormed_; }
  StateReport stateReport() const { return stateReport_; }
  // The OK payload that reported the state change (StateReport::Kept); empty otherwise.
  std::span<const uint8_t> stateOk() const {
    return stateReport_ == StateReport::Kept ? std::span<const uint8_t>(stateOk_)
                                             : std::span<const uint8_t>();
  }

 private:
  enum class State {
    Done,
    First,          // expecting OK / ERR / column count (or OK_stmt)
    Columns,        // column definitions
    ColumnsEof,     // the EOF after column definitions (no DEPRECATE_EOF)
    Rows,           // rows until EOF / OK-as-EOF / ERR
    PrepareParams,  // COM_STMT_PREPARE parameter definitions
    PrepareParamsEof,
    PrepareColumns,
    PrepareColumnsEof,
    Single,  // COM_STATISTICS
  };

  bool finishWith(uint16_t status);
  void readOk(uint32_t length, std::span<const uint8_t> p);
  void readEof(std::span<const uint8_t> p);
  void readErr(std::span<const uint8_t> p);
  bool onFirst(uint32_t length, std::span<const uint8_t> p);
  bool onTerminator(uint32_t length, std::span<const uint8_t> p);
  bool isTerminator(uint32_t length, std::span<const uint8_t> p) const;
  void afterColumns();
  void afterPrepareParams();

  State state_ = State::Done;
  ReplyShape shape_ = ReplyShape::None;
  bool deprecateEof_ = false;
  bool continuation_ = false;  // the previous physical packet was a full 16 MiB chunk
  bool wellFormed_ = true;
  uint16_t statusFlags_ = 0;
  bool hasStatus_ = false;
  uint16_t errorCode_ = 0;
  uint64_t columnsLeft_ = 0;
  uint64_t prepareColumns_ = 0;
  uint64_t affectedRows_ = 0;
  uint64_t lastInsertId_ = 0;
  uint64_t rows_ = 0;
  uint32_t lastLength_ = 0;
  StateReport stateReport_ = StateReport::None;
  std::vector<uint8_t> stateOk_;  // capacity kept from reply to reply
};

}  // namespace rwproxy::session

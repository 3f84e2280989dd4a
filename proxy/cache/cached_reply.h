// A text-protocol result set as the query cache keeps it: the server's packets byte for byte,
// plus where its parts lie, so that it can be replayed to a client of either EOF flavour.
// https://mariadb.com/kb/en/result-set-packets/
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html
//
// Without CLIENT_DEPRECATE_EOF a result set is: column count, column definitions, EOF, rows,
// EOF. With it there is no EOF after the column definitions and the rows end with an OK packet
// whose header is 0xFE. Sequence ids run from 1 (the command was 0) across all of it.
//
// Pure: no I/O; rendering appends to a caller-owned buffer and allocates only when that buffer
// has to grow.
#pragma once

#include <cstdint>
#include <string>

#include "proxy/protocol/constants.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::cache {

// Where the parts of one complete result set lie in the bytes the server sent (framed packets,
// headers included). Offsets are from the start of the reply.
struct ReplyLayout {
  bool deprecateEof = false;       // the flavour the bytes are in
  uint64_t columns = 0;            // column definitions after the column count
  uint32_t columnsEnd = 0;         // end of the column count and definitions
  uint32_t rowsBegin = 0;          // the first row: columnsEnd, or after the column EOF
  uint32_t terminatorBegin = 0;    // the EOF, or OK with header 0xFE, after the rows
  uint32_t size = 0;               // end of the reply (the terminator is the last packet)
  uint16_t columnEofWarnings = 0;  // of the EOF after the column definitions (0: none sent)
  uint16_t columnEofStatus = 0;
  uint16_t warnings = 0;  // of the terminator
  uint16_t statusFlags = 0;
  uint16_t terminatorStatusAt = 0;  // offset of the status flags in the terminator's payload
  uint64_t rows = 0;
};

// Why a reply is not stored. The first few come from describeResultSet, the rest from the
// cache's own policy (QueryCache::store).
enum class Refusal {
  None,                 // cacheable
  NotResultSet,         // an OK (or LOCAL INFILE request): nothing worth replaying
  Failed,               // an ERR, first or after some rows
  MoreResults,          // SERVER_MORE_RESULTS_EXISTS: a multi-result reply
  InTransaction,        // in a transaction, or autocommit off, when the server answered
  SessionStateChanged,  // the statement changed session state (SERVER_SESSION_STATE_CHANGED)
  Malformed,            // truncated, trailing bytes, or not the shape of a result set
  TooLarge,             // a packet of 16 MiB or more, or more bytes than the cache takes
  Empty,                // no rows, and the policy does not store empty results
  Disabled,             // the cache has no room at all (mysql-query_cache_size_MB=0)
};

// Checks that `reply` is exactly one complete, successful text result set sent with the
// `deprecateEof` flavour, outside a transaction, and fills `layout`. Returns Refusal::None when
// it may be cached. Every packet must be a single chunk (less than 16 MiB).
Refusal describeResultSet(protocol::Bytes reply, bool deprecateEof, ReplyLayout& layout);

// Server status bits that describe the session rather than the result: replaced on replay by the
// reading session's own.
constexpr uint16_t kSessionStatusBits = protocol::kServerStatusInTrans |
                                        protocol::kServerStatusAutocommit |
                                        protocol::kServerStatusInTransReadonly;

// Appends `reply` (described by `layout`) as the answer to a COM_QUERY from a client that
// negotiated `deprecateEof`: the packets as the server sent them, with the column EOF dropped or
// added and the terminator turned into an EOF or an OK(0xFE) as that client expects, sequence
// ids renumbered from 1, and the kSessionStatusBits of every EOF/OK taken from `sessionStatus`.
// When the flavours match, the output equals the server's bytes but for those status bits.
void renderReply(std::string& out, protocol::Bytes reply, const ReplyLayout& layout,
                 bool deprecateEof, uint16_t sessionStatus);

// The size renderReply appends.
size_t renderedSize(const ReplyLayout& layout, bool deprecateEof);

}  // namespace rwproxy::cache

#include "proxy/cache/cached_reply.h"

#include <optional>

#include "proxy/protocol/eof_packet.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/protocol/packet.h"
#include "proxy/protocol/text_row.h"

namespace rwproxy::cache {

namespace p = rwproxy::protocol;

namespace {

constexpr size_t kEofPacketSize = p::kPacketHeaderSize + 5;     // 0xFE, warnings, status
constexpr size_t kOkTerminatorSize = p::kPacketHeaderSize + 7;  // 0xFE, 0, 0, status, warnings
constexpr uint32_t kMaxReplyBytes = UINT32_MAX - kEofPacketSize * 2;  // offsets are 32-bit

uint16_t withSession(uint16_t status, uint16_t sessionStatus) {
  return static_cast<uint16_t>((status & ~kSessionStatusBits) |
                               (sessionStatus & kSessionStatusBits));
}

void putU16(std::string& out, size_t at, uint16_t v) {
  out[at] = static_cast<char>(v & 0xFF);
  out[at + 1] = static_cast<char>(v >> 8);
}

// The EOF, or the OK with header 0xFE under CLIENT_DEPRECATE_EOF, that ends a part of a result
// set; the OK in its shortest form (no affected rows, no insert id, no info), as servers send it.
void appendEnd(std::string& out, uint8_t& seq, bool deprecateEof, uint16_t status,
               uint16_t warnings) {
  p::encodeResultSetEnd(out, seq,
                        p::kClientProtocol41 | (deprecateEof ? p::kClientDeprecateEof : 0), status,
                        warnings);
}

// Appends whole single-chunk packets, giving them consecutive sequence ids from `seq`.
void appendRenumbered(std::string& out, p::Bytes packets, uint8_t& seq) {
  size_t pos = out.size();
  out.append(p::asStringView(packets));
  while (pos < out.size()) {
    p::PacketHeader h = p::decodeHeader(reinterpret_cast<const uint8_t*>(out.data() + pos));
    out[pos + 3] = static_cast<char>(seq++);
    pos += p::kPacketHeaderSize + h.length;
  }
}

// Reads an EOF (header 0xFE, 4.1 form) payload's warnings and status.
bool readEof(p::Bytes payload, uint16_t& warnings, uint16_t& status) {
  auto eof = p::EofPacket::decode(payload);
  if (!eof) {
    return false;
  }
  warnings = eof->warnings;
  status = eof->statusFlags;
  return true;
}

// Reads the OK(0xFE) that ends rows under CLIENT_DEPRECATE_EOF.
bool readOkTerminator(p::Bytes payload, ReplyLayout& layout) {
  p::Reader r(payload);
  uint8_t header = 0;
  uint64_t affected = 0;
  uint64_t insertId = 0;
  if (!r.u8(header) || !r.lenencInt(affected) || !r.lenencInt(insertId)) {
    return false;
  }
  layout.terminatorStatusAt = static_cast<uint16_t>(r.position());
  return r.u16(layout.statusFlags) && r.u16(layout.warnings);
}

Refusal readColumnCount(const p::PhysicalPacket& first, ReplyLayout& layout) {
  p::Bytes pl = first.payload;
  if (pl.empty()) {
    return Refusal::Malformed;
  }
  if (pl[0] == p::kErrHeader) {
    return Refusal::Failed;
  }
  if (pl[0] == p::kOkHeader || pl[0] == p::kLocalInfileHeader ||
      (pl[0] == p::kEofHeader && pl.size() < 9)) {
    return Refusal::NotResultSet;
  }
  p::Reader r(pl);
  if (!r.lenencInt(layout.columns) || !r.empty() || layout.columns == 0) {
    return Refusal::Malformed;
  }
  return Refusal::None;
}

// Walks a reply's packets. Every packet must be whole and alone: a 16 MiB chunk would continue
// into the next one, and stops the walk.
class PacketWalker {
 public:
  explicit PacketWalker(p::Bytes reply) : cursor_(reply) {}

  std::optional<p::PhysicalPacket> next() {
    auto packet = cursor_.next();
    if (packet && packet->header.length == p::kMaxPacketChunk) {
      fullChunk_ = true;
      return std::nullopt;
    }
    return packet;
  }
  // Why next() returned nothing.
  Refusal broken() const { return fullChunk_ ? Refusal::TooLarge : Refusal::Malformed; }
  uint32_t consumed() const { return static_cast<uint32_t>(cursor_.consumed()); }

 private:
  p::PacketCursor cursor_;
  bool fullChunk_ = false;
};

// The column count, the definitions and (without DEPRECATE_EOF) the EOF after them.
Refusal readColumns(PacketWalker& walker, ReplyLayout& layout) {
  auto first = walker.next();
  if (!first) {
    return walker.broken();
  }
  if (Refusal r = readColumnCount(*first, layout); r != Refusal::None) {
    return r;
  }
  for (uint64_t i = 0; i < layout.columns; ++i) {
    if (!walker.next()) {
      return walker.broken();
    }
  }
  layout.columnsEnd = walker.consumed();
  if (!layout.deprecateEof) {
    auto eof = walker.next();
    if (!eof) {
      return walker.broken();
    }
    if (!readEof(eof->payload, layout.columnEofWarnings, layout.columnEofStatus)) {
      return Refusal::Malformed;
    }
  }
  layout.rowsBegin = walker.consumed();
  return Refusal::None;
}

// The rows up to and including the EOF or OK(0xFE) that ends them.
Refusal readRows(PacketWalker& walker, ReplyLayout& layout) {
  uint32_t caps = layout.deprecateEof ? p::kClientDeprecateEof : 0;
  for (;;) {
    auto packet = walker.next();
    if (!packet) {
      return walker.broken();
    }
    if (p::isErr(packet->payload)) {
      return Refusal::Failed;
    }
    if (p::isEofOrOkAsEof(packet->payload, caps)) {
      layout.terminatorBegin = static_cast<uint32_t>(packet->offset);
      bool ok = layout.deprecateEof ? readOkTerminator(packet->payload, layout)
                                    : readEof(packet->payload, layout.warnings, layout.statusFlags);
      return ok ? Refusal::None : Refusal::Malformed;
    }
    ++layout.rows;
  }
}

Refusal statusRefusal(uint16_t status) {
  if ((status & p::kServerMoreResultsExists) != 0) {
    return Refusal::MoreResults;
  }
  if ((status & p::kServerStatusInTrans) != 0 || (status & p::kServerStatusAutocommit) == 0) {
    return Refusal::InTransaction;
  }
  if ((status & p::kServerSessionStateChanged) != 0) {
    return Refusal::SessionStateChanged;
  }
  return Refusal::None;
}

}  // namespace

Refusal describeResultSet(p::Bytes reply, bool deprecateEof, ReplyLayout& layout) {
  layout = ReplyLayout{};
  layout.deprecateEof = deprecateEof;
  if (reply.size() > kMaxReplyBytes) {
    return Refusal::TooLarge;
  }
  PacketWalker walker(reply);
  if (Refusal r = readColumns(walker, layout); r != Refusal::None) {
    return r;
  }
  if (Refusal r = readRows(walker, layout); r != Refusal::None) {
    return r;
  }
  if (walker.consumed() != reply.size()) {
    return Refusal::Malformed;  // something after the terminator: not one result set
  }
  layout.size = static_cast<uint32_t>(reply.size());
  return statusRefusal(layout.statusFlags);
}

size_t renderedSize(const ReplyLayout& layout, bool deprecateEof) {
  size_t size = layout.columnsEnd + (layout.terminatorBegin - layout.rowsBegin);
  if (!deprecateEof) {
    return size + 2 * kEofPacketSize;
  }
  return size + (layout.deprecateEof ? layout.size - layout.terminatorBegin : kOkTerminatorSize);
}

void renderReply(std::string& out, p::Bytes reply, const ReplyLayout& layout, bool deprecateEof,
                 uint16_t sessionStatus) {
  out.reserve(out.size() + renderedSize(layout, deprecateEof));
  // The column count and definitions keep their ids (1 .. columns + 1) in either flavour.
  out.append(p::asStringView(reply.first(layout.columnsEnd)));
  auto seq = static_cast<uint8_t>(layout.columns + 2);
  uint16_t status = withSession(layout.statusFlags, sessionStatus);
  if (!deprecateEof) {
    uint16_t columnStatus =
        layout.deprecateEof ? status : withSession(layout.columnEofStatus, sessionStatus);
    appendEnd(out, seq, false, columnStatus, layout.columnEofWarnings);
  }
  p::Bytes rows = reply.subspan(layout.rowsBegin, layout.terminatorBegin - layout.rowsBegin);
  if (deprecateEof == layout.deprecateEof) {
    out.append(p::asStringView(rows));  // already numbered as this client expects
    seq = static_cast<uint8_t>(seq + layout.rows);
  } else {
    appendRenumbered(out, rows, seq);
  }
  if (!deprecateEof) {
    appendEnd(out, seq, false, status, layout.warnings);
  } else if (layout.deprecateEof) {
    // The server's own OK, info and all; only its session bits change.
    size_t at = out.size();
    out.append(p::asStringView(reply.subspan(layout.terminatorBegin)));
    out[at + 3] = static_cast<char>(seq);
    putU16(out, at + p::kPacketHeaderSize + layout.terminatorStatusAt, status);
  } else {
    appendEnd(out, seq, true, status, layout.warnings);
  }
}

}  // namespace rwproxy::cache

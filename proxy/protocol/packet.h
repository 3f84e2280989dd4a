// Packet framing: a 4-byte header (3-byte little-endian payload length, 1-byte sequence id) in
// front of each payload chunk. A logical payload of 0xFFFFFF bytes or more is sent as chunks of
// exactly 0xFFFFFF bytes followed by one shorter (possibly empty) chunk, sequence ids +1 each.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
// https://mariadb.com/kb/en/0-packet/
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

constexpr size_t kPacketHeaderSize = 4;
constexpr uint32_t kMaxPacketChunk = 0xFFFFFF;
// MariaDB's default max_allowed_packet (16 MiB); the session passes the configured value.
constexpr size_t kDefaultMaxPayload = 16 * 1024 * 1024;

struct PacketHeader {
  uint32_t length;
  uint8_t sequenceId;
};

// REQUIRES: p points at kPacketHeaderSize readable bytes.
inline PacketHeader decodeHeader(const uint8_t* p) noexcept {
  return {static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
              static_cast<uint32_t>(p[2]) << 16,
          p[3]};
}

// REQUIRES: out points at kPacketHeaderSize writable bytes; length <= kMaxPacketChunk.
inline void encodeHeader(uint8_t* out, uint32_t length, uint8_t seq) noexcept {
  out[0] = static_cast<uint8_t>(length);
  out[1] = static_cast<uint8_t>(length >> 8);
  out[2] = static_cast<uint8_t>(length >> 16);
  out[3] = seq;
}

// Appends payload to out as one logical packet (one or more chunks), starting at sequence id
// seq; seq is left at the id the next packet must use.
void appendPacket(std::string& out, uint8_t& seq, Bytes payload);
void appendPacket(std::string& out, uint8_t& seq, std::string_view payload);

// Builds a packet in place, without a temporary payload string:
//   size_t at = beginPacket(out); ok.encode(out, caps); endPacket(out, at, seq);
// beginPacket reserves a header and returns its offset; endPacket fills it in (inserting chunk
// headers if the payload reached 0xFFFFFF bytes) and advances seq.
size_t beginPacket(std::string& out);
void endPacket(std::string& out, size_t headerOffset, uint8_t& seq);

// One physical packet (chunk) found in a buffer, for forwarding packets without joining them.
struct PhysicalPacket {
  PacketHeader header;
  Bytes payload;  // Points into the scanned buffer.
  size_t offset;  // Of the header within the scanned buffer.
  bool first;     // Starts a logical packet (the previous chunk was shorter than 0xFFFFFF).
  bool last;      // Ends a logical packet (this chunk is shorter than 0xFFFFFF).
  size_t size() const { return kPacketHeaderSize + payload.size(); }
};

// Walks the whole physical packets of a buffer without copying. A result set can then be
// streamed packet by packet: forward buf[0, consumed()) and keep the partial tail for the next
// read. Classify only packets with first == true (a continuation chunk is row data, whatever
// its first byte). The buffer must outlive the cursor and the packets it returns.
class PacketCursor {
 public:
  // continuing: the buffer starts in the middle of a logical packet, i.e. the last chunk of the
  // previous buffer was a full 0xFFFFFF chunk (pass the previous cursor's continuing()).
  explicit PacketCursor(Bytes buf, bool continuing = false) : buf_(buf), continuing_(continuing) {}

  // The next whole physical packet, or nullopt if the rest is an incomplete packet.
  std::optional<PhysicalPacket> next() noexcept;
  // Bytes of the whole packets returned so far.
  size_t consumed() const { return pos_; }
  // True when the last returned packet was a full chunk, so the next one continues it.
  bool continuing() const { return continuing_; }

 private:
  Bytes buf_;
  size_t pos_ = 0;
  bool continuing_;
};

struct PacketSpan {
  size_t count;  // Whole physical packets at the start of the buffer.
  size_t bytes;  // Their total size including headers.
};

// How many whole physical packets buf starts with, and how many bytes they cover.
PacketSpan wholePackets(Bytes buf) noexcept;

// A complete logical packet. payload stays valid until the next call to any non-const method
// of the PacketAssembler that returned it.
struct LogicalPacket {
  uint8_t firstSequenceId;
  uint8_t lastSequenceId;  // Equal to firstSequenceId unless the payload was split.
  Bytes payload;
};

// Turns a byte stream into logical packets. Bytes arrive either by feed() (one copy into the
// internal buffer) or by prepare()/commit() (the socket reads straight into the buffer, no
// copy). A single-chunk packet is returned as a view into the buffer (no copy); only a split
// packet is joined, into a second buffer. The logical size limit is checked as soon as a chunk
// header is visible, so an oversize packet is rejected before its body is buffered. After an
// error the assembler stays failed and next() keeps returning that error.
// Not thread-safe (one session owns it).
class PacketAssembler {
 public:
  explicit PacketAssembler(size_t maxPayload = kDefaultMaxPayload) : maxPayload_(maxPayload) {}

  void setMaxPayload(size_t maxPayload) { maxPayload_ = maxPayload; }
  // When set, the next logical packet must start with this sequence id; after each packet the
  // expectation advances to lastSequenceId + 1. A client session sets 0 before each command.
  void expectSequence(uint8_t seq) { expected_ = seq; }
  void clearExpectedSequence() { expected_.reset(); }
  std::optional<uint8_t> expectedSequence() const { return expected_; }

  void feed(Bytes data);
  // Returns at least minSize writable bytes at the end of the buffer; then commit(n) the
  // n <= minSize bytes actually written. Invalidates earlier payload views.
  std::span<uint8_t> prepare(size_t minSize);
  void commit(size_t n);

  // The next logical packet, nullopt if more bytes are needed, or an error (oversize packet,
  // sequence id out of order).
  Result<std::optional<LogicalPacket>> next();

  // Bytes received and not yet returned as part of a packet.
  size_t buffered() const { return size_ - pos_; }
  // Frees the buffers when nothing is buffered, so an idle connection holds no read memory.
  void releaseMemory();

 private:
  void reserveTail(size_t n);

  std::unique_ptr<uint8_t[]> buf_;  // Uninitialised storage: prepare() must not memset.
  size_t cap_ = 0;
  size_t size_ = 0;
  size_t pos_ = 0;  // Start of the first byte not yet returned.
  std::string joined_;
  size_t maxPayload_;
  std::optional<uint8_t> expected_;
  std::optional<Error> error_;
};

}  // namespace rwproxy::protocol

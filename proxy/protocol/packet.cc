#include "proxy/protocol/packet.h"

#include <algorithm>
#include <cstring>

namespace rwproxy::protocol {

void appendPacket(std::string& out, uint8_t& seq, Bytes payload) {
  appendPacket(out, seq, asStringView(payload));
}

void appendPacket(std::string& out, uint8_t& seq, std::string_view payload) {
  out.reserve(out.size() + payload.size() +
              kPacketHeaderSize * (payload.size() / kMaxPacketChunk + 1));
  size_t off = 0;
  // A chunk of exactly kMaxPacketChunk bytes says "more follows", so a payload that is a
  // multiple of it (including one chunk's worth) ends with an empty chunk.
  while (true) {
    size_t chunk = std::min<size_t>(payload.size() - off, kMaxPacketChunk);
    uint8_t header[kPacketHeaderSize];
    encodeHeader(header, static_cast<uint32_t>(chunk), seq++);
    out.append(reinterpret_cast<const char*>(header), kPacketHeaderSize);
    out.append(payload.substr(off, chunk));
    off += chunk;
    if (chunk < kMaxPacketChunk) break;
  }
}

size_t beginPacket(std::string& out) {
  size_t at = out.size();
  out.append(kPacketHeaderSize, '\0');
  return at;
}

void endPacket(std::string& out, size_t headerOffset, uint8_t& seq) {
  size_t length = out.size() - headerOffset - kPacketHeaderSize;
  if (length < kMaxPacketChunk) {
    encodeHeader(reinterpret_cast<uint8_t*>(out.data() + headerOffset),
                 static_cast<uint32_t>(length), seq++);
    return;
  }
  // Rare (a 16 MiB+ payload): move the payload out and frame it again with chunk headers.
  std::string payload = out.substr(headerOffset + kPacketHeaderSize);
  out.resize(headerOffset);
  appendPacket(out, seq, payload);
}

std::optional<PhysicalPacket> PacketCursor::next() noexcept {
  size_t left = buf_.size() - pos_;
  if (left < kPacketHeaderSize) return std::nullopt;
  PacketHeader h = decodeHeader(buf_.data() + pos_);
  if (left - kPacketHeaderSize < h.length) return std::nullopt;
  PhysicalPacket p{h, buf_.subspan(pos_ + kPacketHeaderSize, h.length), pos_, !continuing_,
                   h.length < kMaxPacketChunk};
  pos_ += p.size();
  continuing_ = !p.last;
  return p;
}

PacketSpan wholePackets(Bytes buf) noexcept {
  PacketCursor cursor(buf);
  size_t count = 0;
  while (cursor.next()) ++count;
  return {count, cursor.consumed()};
}

void PacketAssembler::reserveTail(size_t n) {
  if (cap_ - size_ >= n) return;
  if (pos_ > 0) {
    // Slide the unread tail to the front before deciding to grow.
    std::memmove(buf_.get(), buf_.get() + pos_, size_ - pos_);
    size_ -= pos_;
    pos_ = 0;
    if (cap_ - size_ >= n) return;
  }
  size_t cap = std::max({cap_ * 2, size_ + n, size_t{4096}});
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(cap);
  if (size_ > 0) std::memcpy(grown.get(), buf_.get(), size_);
  buf_ = std::move(grown);
  cap_ = cap;
}

void PacketAssembler::feed(Bytes data) {
  if (data.empty()) return;
  reserveTail(data.size());
  std::memcpy(buf_.get() + size_, data.data(), data.size());
  size_ += data.size();
}

std::span<uint8_t> PacketAssembler::prepare(size_t minSize) {
  reserveTail(minSize);
  return {buf_.get() + size_, cap_ - size_};
}

void PacketAssembler::commit(size_t n) { size_ += std::min(n, cap_ - size_); }

Result<std::optional<LogicalPacket>> PacketAssembler::next() {
  if (error_) return *error_;
  size_t off = pos_;
  size_t total = 0;
  size_t chunks = 0;
  uint8_t first = 0;
  uint8_t last = 0;
  while (true) {
    if (size_ - off < kPacketHeaderSize) return std::optional<LogicalPacket>();
    PacketHeader h = decodeHeader(buf_.get() + off);
    if (chunks == 0 && expected_ && h.sequenceId != *expected_) {
      error_ = Error::outOfOrder("expected sequence id " + std::to_string(*expected_) + ", got " +
                                 std::to_string(h.sequenceId));
    } else if (chunks > 0 && h.sequenceId != static_cast<uint8_t>(last + 1)) {
      error_ = Error::outOfOrder("chunk sequence id " + std::to_string(h.sequenceId) + " after " +
                                 std::to_string(last));
    }
    total += h.length;
    if (!error_ && total > maxPayload_) {
      error_ = Error::packetTooLarge("packet of at least " + std::to_string(total) +
                                     " bytes, limit " + std::to_string(maxPayload_));
    }
    if (error_) return *error_;
    if (chunks == 0) first = h.sequenceId;
    last = h.sequenceId;
    if (size_ - off - kPacketHeaderSize < h.length) return std::optional<LogicalPacket>();
    off += kPacketHeaderSize + h.length;
    ++chunks;
    if (h.length < kMaxPacketChunk) break;
  }

  LogicalPacket packet{first, last, {}};
  if (chunks == 1) {
    packet.payload = Bytes(buf_.get() + pos_ + kPacketHeaderSize, total);
  } else {
    joined_.clear();
    joined_.reserve(total);
    for (size_t at = pos_; at < off;) {
      PacketHeader h = decodeHeader(buf_.get() + at);
      joined_.append(reinterpret_cast<const char*>(buf_.get() + at + kPacketHeaderSize), h.length);
      at += kPacketHeaderSize + h.length;
    }
    packet.payload = asBytes(joined_);
  }
  pos_ = off;
  if (pos_ == size_) pos_ = size_ = 0;  // Memory untouched: the payload view stays valid.
  if (expected_) expected_ = static_cast<uint8_t>(last + 1);
  return std::optional<LogicalPacket>(packet);
}

void PacketAssembler::releaseMemory() {
  if (buffered() != 0) return;
  buf_.reset();
  cap_ = size_ = pos_ = 0;
  std::string().swap(joined_);
}

}  // namespace rwproxy::protocol

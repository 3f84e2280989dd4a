#include "proxy/protocol/packet.h"

#include <vector>

#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::fromHex;
using test::toHex;

std::string payloadOf(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 + i / 251);
  return s;
}

// Feeds bytes in slices of the given size and collects every logical packet.
std::vector<std::string> assemble(PacketAssembler& a, std::string_view bytes, size_t slice) {
  std::vector<std::string> out;
  for (size_t at = 0; at < bytes.size(); at += slice) {
    a.feed(asBytes(bytes.substr(at, slice)));
    while (true) {
      auto next = a.next();
      REQUIRE(next.ok());
      if (!*next) break;
      out.emplace_back(asStringView((*next)->payload));
    }
  }
  return out;
}

TEST_CASE("packet header encodes and decodes", "[packet]") {
  uint8_t h[kPacketHeaderSize];
  encodeHeader(h, 0xABCDEF, 0x42);
  CHECK(toHex(std::string_view(reinterpret_cast<char*>(h), 4)) == "efcdab42");
  PacketHeader d = decodeHeader(h);
  CHECK(d.length == 0xABCDEFu);
  CHECK(d.sequenceId == 0x42);
}

TEST_CASE("appendPacket frames a small payload (COM_QUIT from the docs)", "[packet]") {
  std::string out;
  uint8_t seq = 0;
  appendPacket(out, seq, std::string_view("\x01", 1));
  CHECK(toHex(out) == "0100000001");
  CHECK(seq == 1);
}

TEST_CASE("large payloads split into 0xFFFFFF chunks and reassemble byte-exact", "[packet]") {
  const size_t sizes[] = {0,
                          1,
                          kMaxPacketChunk - 1,
                          kMaxPacketChunk,
                          kMaxPacketChunk + 1,
                          2 * size_t{kMaxPacketChunk} + 5};
  for (size_t n : sizes) {
    INFO("payload size " << n);
    std::string payload = payloadOf(n);
    std::string wire;
    uint8_t seq = 0xFE;  // Wraps around 255 -> 0 on the way.
    appendPacket(wire, seq, payload);
    size_t chunks = n / kMaxPacketChunk + 1;
    CHECK(wire.size() == n + chunks * kPacketHeaderSize);
    CHECK(seq == static_cast<uint8_t>(0xFE + chunks));
    PacketSpan span = wholePackets(asBytes(wire));
    CHECK(span.count == chunks);
    CHECK(span.bytes == wire.size());

    PacketAssembler a(3 * size_t{kMaxPacketChunk});
    a.expectSequence(0xFE);
    std::vector<std::string> got = assemble(a, wire, 1 << 20);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == payload);
    CHECK(a.buffered() == 0);
    CHECK(a.expectedSequence() == static_cast<uint8_t>(0xFE + chunks));
  }
}

TEST_CASE("beginPacket/endPacket frame in place, splitting when needed", "[packet]") {
  for (size_t n : {size_t{3}, size_t{kMaxPacketChunk}, size_t{kMaxPacketChunk} + 10}) {
    std::string payload = payloadOf(n);
    std::string expected = "prefix";
    uint8_t seq1 = 3;
    appendPacket(expected, seq1, payload);
    std::string out = "prefix";
    uint8_t seq2 = 3;
    size_t at = beginPacket(out);
    out.append(payload);
    endPacket(out, at, seq2);
    CHECK(out == expected);
    CHECK(seq1 == seq2);
  }
}

TEST_CASE("assembler handles byte-by-byte input and several packets per read", "[packet]") {
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, std::string_view("\x03SELECT 1"));
  appendPacket(wire, seq, std::string_view(""));
  appendPacket(wire, seq, std::string_view("\x0e"));
  for (size_t slice : {size_t{1}, size_t{2}, size_t{5}, wire.size()}) {
    PacketAssembler a;
    std::vector<std::string> got = assemble(a, wire, slice);
    REQUIRE(got.size() == 3);
    CHECK(got[0] == "\x03SELECT 1");
    CHECK(got[1].empty());
    CHECK(got[2] == "\x0e");
  }
}

TEST_CASE("assembler reports sequence ids of the logical packet", "[packet]") {
  std::string wire;
  uint8_t seq = 7;
  appendPacket(wire, seq, payloadOf(kMaxPacketChunk + 2));
  PacketAssembler a(2 * size_t{kMaxPacketChunk});
  a.feed(asBytes(wire));
  auto next = a.next();
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->firstSequenceId == 7);
  CHECK((*next)->lastSequenceId == 8);
}

TEST_CASE("assembler rejects an unexpected sequence id and stays failed", "[packet]") {
  std::string wire;
  uint8_t seq = 1;
  appendPacket(wire, seq, std::string_view("abc"));
  PacketAssembler a;
  a.expectSequence(0);
  a.feed(asBytes(wire));
  auto next = a.next();
  REQUIRE_FALSE(next.ok());
  CHECK(next.error().code == 1156);
  CHECK(next.error().sqlState == "08S01");
  CHECK_FALSE(a.next().ok());
}

TEST_CASE("assembler rejects a wrong sequence id inside a split packet", "[packet]") {
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, payloadOf(kMaxPacketChunk + 1));
  wire[kPacketHeaderSize + kMaxPacketChunk + 3] = 5;  // Second chunk: 5 instead of 1.
  PacketAssembler a(2 * size_t{kMaxPacketChunk});
  a.feed(asBytes(wire));
  auto next = a.next();
  REQUIRE_FALSE(next.ok());
  CHECK(next.error().code == 1156);
}

TEST_CASE("sequence expectation advances and may be reset per command", "[packet]") {
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, std::string_view("a"));
  appendPacket(wire, seq, std::string_view("b"));
  PacketAssembler a;
  a.expectSequence(0);
  a.feed(asBytes(wire));
  REQUIRE(a.next().ok());
  CHECK(a.expectedSequence() == 1);
  REQUIRE(a.next().ok());
  a.expectSequence(0);
  std::string again;
  seq = 0;
  appendPacket(again, seq, std::string_view("c"));
  a.feed(asBytes(again));
  auto next = a.next();
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK(asStringView((*next)->payload) == "c");
}

TEST_CASE("oversize logical packets are rejected from the header alone", "[packet]") {
  PacketAssembler a(100);
  std::string header = fromHex("65 00 00 00");  // 101 bytes announced, none sent.
  a.feed(asBytes(header));
  auto next = a.next();
  REQUIRE_FALSE(next.ok());
  CHECK(next.error().code == 1153);

  // Exactly at the limit is fine.
  PacketAssembler b(100);
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, payloadOf(100));
  b.feed(asBytes(wire));
  auto ok = b.next();
  REQUIRE(ok.ok());
  CHECK(ok->has_value());

  // A split packet is judged by its joined size, before the second chunk arrives.
  PacketAssembler c(kMaxPacketChunk + 10);
  std::string big;
  seq = 0;
  appendPacket(big, seq, payloadOf(kMaxPacketChunk + 11));
  c.feed(asBytes(std::string_view(big).substr(0, kPacketHeaderSize + kMaxPacketChunk + 4)));
  auto tooBig = c.next();
  REQUIRE_FALSE(tooBig.ok());
  CHECK(tooBig.error().code == 1153);
}

TEST_CASE("prepare/commit reads straight into the assembler", "[packet]") {
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, std::string_view("hello"));
  PacketAssembler a;
  std::span<uint8_t> room = a.prepare(3);
  REQUIRE(room.size() >= 3);
  std::copy(wire.begin(), wire.begin() + 3, room.begin());
  a.commit(3);
  auto none = a.next();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  room = a.prepare(wire.size() - 3);
  std::copy(wire.begin() + 3, wire.end(), room.begin());
  a.commit(wire.size() - 3);
  auto next = a.next();
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK(asStringView((*next)->payload) == "hello");
  a.releaseMemory();
  CHECK(a.buffered() == 0);
}

TEST_CASE("PacketCursor walks physical packets and marks continuations", "[packet]") {
  std::string wire;
  uint8_t seq = 1;
  appendPacket(wire, seq, std::string_view("\x01"));        // column count
  appendPacket(wire, seq, payloadOf(kMaxPacketChunk + 1));  // a 16 MiB row: two chunks
  appendPacket(wire, seq, fromHex("fe 00 00 02 00"));
  wire.append(fromHex("05 00 00"));  // a partial header

  PacketCursor cursor(asBytes(wire));
  std::vector<PhysicalPacket> packets;
  while (auto p = cursor.next()) packets.push_back(*p);
  REQUIRE(packets.size() == 4);
  CHECK(packets[0].first);
  CHECK(packets[0].last);
  CHECK(packets[1].first);
  CHECK_FALSE(packets[1].last);
  CHECK(packets[1].payload.size() == kMaxPacketChunk);
  CHECK_FALSE(packets[2].first);
  CHECK(packets[2].last);
  CHECK(packets[3].first);
  CHECK(packets[3].header.sequenceId == 4);
  CHECK(cursor.consumed() == wire.size() - 3);
  CHECK(packets[3].offset + packets[3].size() == cursor.consumed());

  // Resuming in the middle of a split packet keeps the continuation state.
  size_t secondChunk = packets[2].offset;
  PacketCursor resumed(asBytes(std::string_view(wire).substr(secondChunk)), true);
  auto p = resumed.next();
  REQUIRE(p.has_value());
  CHECK_FALSE(p->first);
  CHECK_FALSE(resumed.continuing());
}

TEST_CASE("wholePackets stops at a partial packet", "[packet]") {
  std::string wire;
  uint8_t seq = 0;
  appendPacket(wire, seq, std::string_view("abc"));
  appendPacket(wire, seq, std::string_view("defg"));
  for (size_t n = 0; n <= wire.size(); ++n) {
    PacketSpan s = wholePackets(asBytes(std::string_view(wire).substr(0, n)));
    size_t expected = n < 7 ? 0 : n < wire.size() ? 1 : 2;
    CHECK(s.count == expected);
    CHECK(s.bytes == (expected == 0 ? 0 : expected == 1 ? 7 : wire.size()));
  }
}

}  // namespace
}  // namespace rwproxy::protocol

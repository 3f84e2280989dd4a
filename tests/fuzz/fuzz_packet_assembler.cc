// Feeds a byte stream to PacketAssembler in slices. Invariant: framing every logical packet
// again (from its first sequence id) reproduces exactly the bytes the assembler consumed, and
// PacketCursor agrees on the physical packets.
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/protocol/packet.h"
#include "tests/fuzz/fuzz_check.h"

using namespace rwproxy::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t slice = data[0] + 1u;
  bool expect = data[1] & 1;
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  PacketAssembler assembler(1 << 20);
  if (expect) assembler.expectSequence(0);
  std::string reframed;
  bool failed = false;
  for (size_t at = 0; at < stream.size() && !failed; at += slice) {
    assembler.feed(asBytes(stream.substr(at, slice)));
    while (true) {
      auto next = assembler.next();
      if (!next.ok()) {
        failed = true;
        FUZZ_CHECK(!assembler.next().ok());  // Stays failed.
        break;
      }
      if (!*next) break;
      const LogicalPacket& p = **next;
      uint8_t seq = p.firstSequenceId;
      appendPacket(reframed, seq, p.payload);
      FUZZ_CHECK(static_cast<uint8_t>(seq - 1) == p.lastSequenceId);
    }
  }
  if (failed) return 0;
  size_t consumed = stream.size() - assembler.buffered();
  FUZZ_CHECK(reframed == stream.substr(0, consumed));

  PacketSpan span = wholePackets(asBytes(stream));
  FUZZ_CHECK(span.bytes >= consumed);
  FUZZ_CHECK(span.bytes <= stream.size());
  return 0;
}

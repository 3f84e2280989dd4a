// Decodes a server greeting. Invariant: decode(encode(decode(x))) == decode(x).
#include <cstdint>
#include <string>

#include "proxy/protocol/handshake.h"
#include "tests/fuzz/fuzz_check.h"

using namespace rwproxy::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto greeting = HandshakeV10::decode(Bytes(data, size));
  if (!greeting.ok()) return 0;
  std::string out;
  greeting->encode(out);
  auto again = HandshakeV10::decode(asBytes(out));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *greeting);
  return 0;
}

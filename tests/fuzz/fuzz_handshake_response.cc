// Decodes a client login (or SSLRequest). Invariant: decode(encode(decode(x))) == decode(x).
#include <cstdint>
#include <string>

#include "proxy/protocol/handshake_response.h"
#include "tests/fuzz/fuzz_check.h"

using namespace rwproxy::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes payload(data, size);
  if (isSslRequest(payload)) {
    auto ssl = SslRequest::decode(payload);
    FUZZ_CHECK(ssl.ok());
    std::string out;
    ssl->encode(out);
    auto again = SslRequest::decode(asBytes(out));
    FUZZ_CHECK(again.ok() && *again == *ssl);
    FUZZ_CHECK(isSslRequest(asBytes(out)));
    return 0;
  }
  auto login = HandshakeResponse41::decode(payload);
  if (!login.ok()) return 0;
  std::string out;
  login->encode(out);
  auto again = HandshakeResponse41::decode(asBytes(out));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *login);
  std::string out2;
  again->encode(out2);
  FUZZ_CHECK(out2 == out);
  return 0;
}

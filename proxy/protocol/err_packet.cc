#include "proxy/protocol/err_packet.h"

namespace rwproxy::protocol {

namespace {
constexpr size_t kSqlStateSize = 5;
constexpr uint16_t kProgressReportCode = 0xFFFF;
}  // namespace

Result<ErrPacket> ErrPacket::decode(Bytes payload, uint32_t caps) {
  Reader r(payload);
  std::optional<uint8_t> header = r.u8();
  if (!header || *header != kErrHeader) return Error::malformed("not an ERR packet");
  ErrPacket e;
  if (!r.u16(e.code)) return Error::malformed("ERR packet code");
  if (e.code == kProgressReportCode) return Error::unsupported("progress report");
  if ((caps & kClientProtocol41) && r.peek() == '#') {
    if (!r.skip(1) || !r.fixedString(e.sqlState, kSqlStateSize)) {
      return Error::malformed("ERR packet SQLSTATE");
    }
  } else {
    e.sqlState = "HY000";
  }
  if (!r.restString(e.message)) return Error::malformed("ERR packet message");
  return e;
}

void ErrPacket::encode(std::string& out, uint32_t caps) const {
  Writer w(out);
  w.u8(kErrHeader).u16(code);
  if (caps & kClientProtocol41) {
    std::string_view state = std::string_view(sqlState).substr(0, kSqlStateSize);
    w.u8('#').bytes(state);
    out.append(kSqlStateSize - state.size(), '0');
  }
  w.bytes(message);
}

}  // namespace rwproxy::protocol

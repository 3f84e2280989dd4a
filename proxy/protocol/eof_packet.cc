#include "proxy/protocol/eof_packet.h"

#include "proxy/protocol/constants.h"

namespace rwproxy::protocol {

Result<EofPacket> EofPacket::decode(Bytes payload) {
  if (payload.size() >= 9) return Error::malformed("EOF packet too long");
  Reader r(payload);
  std::optional<uint8_t> header = r.u8();
  if (!header || *header != kEofHeader) return Error::malformed("not an EOF packet");
  EofPacket e;
  if (!r.u16(e.warnings) || !r.u16(e.statusFlags)) return Error::malformed("truncated EOF");
  return e;
}

void EofPacket::encode(std::string& out) const {
  Writer(out).u8(kEofHeader).u16(warnings).u16(statusFlags);
}

}  // namespace rwproxy::protocol

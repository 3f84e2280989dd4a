#include "proxy/protocol/ok_packet.h"

#include "proxy/protocol/constants.h"
#include "proxy/protocol/packet.h"

namespace rwproxy::protocol {

namespace {
constexpr size_t kMinOkSize = 7;   // Header, two 1-byte lenencs, status, warnings.
constexpr size_t kEofSize = 5;     // Header, warnings, status.
constexpr size_t kMaxEofSize = 9;  // The classic client's "shorter than 9" rule.
}  // namespace

Result<OkPacket> OkPacket::decode(Bytes payload, uint32_t caps) {
  Reader r(payload);
  OkPacket ok;
  if (!r.u8(ok.header) || (ok.header != kOkHeader && ok.header != kEofHeader)) {
    return Error::malformed("not an OK packet");
  }
  if (!r.lenencInt(ok.affectedRows) || !r.lenencInt(ok.lastInsertId)) {
    return Error::malformed("OK packet counters");
  }
  bool good = true;
  if (caps & kClientProtocol41) {
    good = r.u16(ok.statusFlags) && r.u16(ok.warnings);
  } else if (caps & kClientTransactions) {
    good = r.u16(ok.statusFlags);
  }
  if (!good) return Error::malformed("OK packet status");
  if ((caps & kClientSessionTrack) == 0) {
    if (!r.restString(ok.info)) return Error::malformed("OK packet info");
    return ok;
  }
  if (!r.empty() && !r.lenencString(ok.info)) return Error::malformed("OK packet info");
  if ((ok.statusFlags & kServerSessionStateChanged) && !r.lenencString(ok.sessionStateInfo)) {
    return Error::malformed("OK packet session state");
  }
  return ok;
}

void OkPacket::encode(std::string& out, uint32_t caps) const {
  Writer w(out);
  w.u8(header).lenencInt(affectedRows).lenencInt(lastInsertId);
  if (caps & kClientProtocol41) {
    w.u16(statusFlags).u16(warnings);
  } else if (caps & kClientTransactions) {
    w.u16(statusFlags);
  }
  if ((caps & kClientSessionTrack) == 0) {
    w.bytes(info);
    return;
  }
  w.lenencString(info);
  if (statusFlags & kServerSessionStateChanged) w.lenencString(sessionStateInfo);
}

bool isOk(Bytes payload) noexcept {
  return payload.size() >= kMinOkSize && payload[0] == kOkHeader;
}

bool isErr(Bytes payload) noexcept { return !payload.empty() && payload[0] == kErrHeader; }

bool isEofOrOkAsEof(Bytes payload, uint32_t caps) noexcept {
  if (payload.empty() || payload[0] != kEofHeader) return false;
  if (caps & kClientDeprecateEof) return payload.size() < kMaxPacketChunk;
  return payload.size() < kMaxEofSize;
}

std::optional<uint16_t> statusFlagsOf(Bytes payload) noexcept {
  if (payload.empty()) return std::nullopt;
  Reader r(payload);
  uint8_t header = *r.u8();
  if (header == kEofHeader && payload.size() < kMinOkSize) {
    if (payload.size() < kEofSize || !r.skip(2)) return std::nullopt;
    return r.u16();
  }
  if (header != kOkHeader && header != kEofHeader) return std::nullopt;
  if (!r.lenencInt() || !r.lenencInt()) return std::nullopt;
  return r.u16();
}

}  // namespace rwproxy::protocol

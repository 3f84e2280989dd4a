#include "proxy/protocol/handshake.h"

#include <algorithm>

#include "proxy/protocol/constants.h"

namespace rwproxy::protocol {

namespace {
constexpr size_t kScramble1Size = 8;
// Of the 10 reserved bytes: 6 of filler, then 4 that MariaDB uses for extended capabilities.
constexpr size_t kMariadbFillerSize = 6;
}  // namespace

Result<HandshakeV10> HandshakeV10::decode(Bytes payload) {
  Reader r(payload);
  HandshakeV10 h;
  if (!r.u8(h.protocolVersion)) return Error::malformed("empty handshake");
  if (h.protocolVersion != 10) {
    return Error::unsupported("handshake protocol version " + std::to_string(h.protocolVersion));
  }
  uint16_t capsLow = 0;
  if (!r.nulString(h.serverVersion) || !r.u32(h.connectionId) ||
      !r.fixedString(h.authPluginData, kScramble1Size) || !r.skip(1) || !r.u16(capsLow)) {
    return Error::malformed("truncated handshake v10");
  }
  h.capabilities = capsLow;
  // Pre-4.1 servers stop here. Every server we proxy (MariaDB 10+) sends the rest, and the
  // short form cannot carry a 20-byte scramble, so refuse it rather than half-support it.
  if (r.empty()) return Error::unsupported("pre-4.1 server greeting");

  uint16_t capsHigh = 0;
  uint8_t authDataLength = 0;
  if (!r.u8(h.characterSet) || !r.u16(h.statusFlags) || !r.u16(capsHigh) || !r.u8(authDataLength) ||
      !r.skip(kMariadbFillerSize)) {
    return Error::malformed("truncated handshake v10 capabilities");
  }
  h.capabilities |= static_cast<uint32_t>(capsHigh) << 16;
  std::optional<uint32_t> extended = r.u32();
  if (!extended) return Error::malformed("truncated handshake v10 reserved bytes");
  if ((h.capabilities & kClientMysql) == 0) h.mariadbExtendedCapabilities = *extended;

  if (h.capabilities & kClientSecureConnection) {
    // Part 2 is max(13, length - 8) bytes, its last byte a NUL terminator. The length byte
    // is only meaningful with CLIENT_PLUGIN_AUTH; without it the byte is a zero filler.
    size_t length = (h.capabilities & kClientPluginAuth) ? authDataLength : 0;
    size_t part2 = std::max<size_t>(13, length > 8 ? length - 8 : 0);
    std::optional<std::string_view> data = r.fixedString(part2);
    if (!data) return Error::malformed("truncated handshake v10 scramble");
    if (!data->empty() && data->back() == '\0') data->remove_suffix(1);
    h.authPluginData.append(*data);
  }
  if (h.capabilities & kClientPluginAuth) {
    std::optional<std::string_view> name = r.nulString();
    if (!name) {
      // MySQL 5.5.7-5.5.9 sent the name without its NUL (bug #59453): take the rest.
      Reader rest(payload.subspan(r.position()));
      name = rest.restString();
      if (name->empty()) return Error::malformed("handshake v10 without auth plugin name");
    }
    h.authPluginName.assign(*name);
  }
  return h;
}

void HandshakeV10::encode(std::string& out) const {
  Writer w(out);
  std::string_view data = authPluginData;
  std::string_view part1 = data.substr(0, kScramble1Size);
  std::string_view part2 = data.substr(part1.size());
  w.u8(protocolVersion).nulString(serverVersion).u32(connectionId).bytes(part1);
  w.zeros(kScramble1Size - part1.size()).u8(0);
  w.u16(static_cast<uint16_t>(capabilities)).u8(characterSet).u16(statusFlags);
  w.u16(static_cast<uint16_t>(capabilities >> 16));
  // The length byte counts part 1, part 2 and part 2's NUL, capped at what a byte holds; the
  // reader then takes max(13, length - 8) bytes for part 2.
  size_t length = (capabilities & kClientPluginAuth) ? std::min<size_t>(data.size() + 1, 255) : 0;
  w.u8(static_cast<uint8_t>(length));
  w.zeros(kMariadbFillerSize);
  w.u32((capabilities & kClientMysql) ? 0 : mariadbExtendedCapabilities);
  if (capabilities & kClientSecureConnection) {
    size_t field = std::max<size_t>(13, length > 8 ? length - 8 : 0);
    // Pad with NULs (the first one terminates); a part 2 that fills the field has no NUL.
    w.bytes(part2).zeros(field > part2.size() ? field - part2.size() : 0);
  }
  if (capabilities & kClientPluginAuth) w.nulString(authPluginName);
}

}  // namespace rwproxy::protocol

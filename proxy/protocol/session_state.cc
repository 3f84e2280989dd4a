#include "proxy/protocol/session_state.h"

#include "proxy/protocol/constants.h"

namespace rwproxy::protocol {

namespace {

// The data of one record, already cut to its length.
Status decodeRecord(uint8_t type, Bytes data, std::vector<SessionStateChange>& out) {
  Reader r(data);
  switch (type) {
    case kSessionTrackSystemVariables:
      do {
        auto name = r.lenencString();
        auto value = name ? r.lenencString() : std::nullopt;
        if (!value) return Error::malformed("session state: system variable record");
        out.push_back({type, *name, *value});
      } while (!r.empty());
      return {};
    case kSessionTrackSchema: {
      auto schema = r.lenencString();
      if (!schema || !r.empty()) return Error::malformed("session state: schema record");
      out.push_back({type, *schema, {}});
      return {};
    }
    case kSessionTrackStateChange:
      out.push_back({type, asStringView(data), {}});
      return {};
    default:
      out.push_back({type, {}, asStringView(data)});
      return {};
  }
}

}  // namespace

Status decodeSessionState(Bytes info, std::vector<SessionStateChange>& out) {
  Reader r(info);
  while (!r.empty()) {
    uint8_t type = 0;
    auto data = r.u8(type) ? r.lenencString() : std::nullopt;
    if (!data) return Error::malformed("session state: record length");
    if (Status s = decodeRecord(type, asBytes(*data), out); !s) return s;
  }
  return {};
}

std::optional<Bytes> sessionStateInfoOf(Bytes okPayload, uint32_t caps) noexcept {
  Reader r(okPayload);
  auto header = r.u8();
  if (!header || (*header != kOkHeader && *header != kEofHeader)) return std::nullopt;
  if (!r.lenencInt() || !r.lenencInt()) return std::nullopt;
  uint16_t status = 0;
  if (caps & kClientProtocol41) {
    if (!r.u16(status) || !r.skip(2)) return std::nullopt;
  } else if (caps & kClientTransactions) {
    if (!r.u16(status)) return std::nullopt;
  }
  if ((caps & kClientSessionTrack) == 0) return Bytes{};
  if (!r.empty() && !r.lenencString()) return std::nullopt;  // the info text
  if ((status & kServerSessionStateChanged) == 0) return Bytes{};
  auto info = r.lenencString();
  if (!info) return std::nullopt;
  return asBytes(*info);
}

}  // namespace rwproxy::protocol

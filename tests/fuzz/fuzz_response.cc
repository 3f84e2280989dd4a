// Decodes response packets: OK, ERR, EOF, column definitions, text rows, COM_CHANGE_USER, and
// runs the streaming classifiers. The first byte picks capabilities. Invariants: every decoded
// message re-encodes to something that decodes to the same value, and the allocation-free
// classifiers agree with the full decoders.
#include <cstdint>
#include <string>
#include <vector>

#include "proxy/protocol/column_definition.h"
#include "proxy/protocol/command.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/eof_packet.h"
#include "proxy/protocol/err_packet.h"
#include "proxy/protocol/ok_packet.h"
#include "proxy/protocol/session_state.h"
#include "proxy/protocol/text_row.h"
#include "tests/fuzz/fuzz_check.h"

using namespace rwproxy::protocol;

namespace {

template <class T, class... Caps>
void roundTrip(const T& value, Caps... caps) {
  std::string out;
  value.encode(out, caps...);
  auto again = T::decode(asBytes(out), caps...);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint32_t caps = kClientProtocol41;
  if (data[0] & 1) caps |= kClientSessionTrack;
  if (data[0] & 2) caps |= kClientDeprecateEof;
  if (data[0] & 4) caps |= kClientSecureConnection;
  if (data[0] & 8) caps |= kClientPluginAuth;
  if (data[0] & 16) caps |= kClientConnectAttrs;
  Bytes payload(data + 1, size - 1);

  auto ok = OkPacket::decode(payload, caps);
  if (ok.ok()) {
    roundTrip(*ok, caps);
    FUZZ_CHECK(statusFlagsOf(payload) == ok->statusFlags);
    FUZZ_CHECK(!isErr(payload));
    // The copy-free reader finds the same state info; its records decode or fail cleanly.
    auto info = sessionStateInfoOf(payload, caps);
    FUZZ_CHECK(info && asStringView(*info) == ok->sessionStateInfo);
    std::vector<SessionStateChange> changes;
    (void)decodeSessionState(*info, changes);
  }
  auto err = ErrPacket::decode(payload, caps);
  if (err.ok()) {
    FUZZ_CHECK(isErr(payload));
    ErrPacket normalised = *err;
    normalised.sqlState.resize(5, '0');
    roundTrip(normalised, caps);
  }
  auto eof = EofPacket::decode(payload);
  if (eof.ok()) {
    roundTrip(*eof);
    FUZZ_CHECK(isEofOrOkAsEof(payload, caps));
    // Real EOF packets are 5 bytes; 7 and 8 bytes read as an OK in statusFlagsOf.
    if (payload.size() < 7) FUZZ_CHECK(statusFlagsOf(payload) == eof->statusFlags);
  }
  auto column = ColumnDefinition41::decode(payload);
  if (column.ok()) roundTrip(*column);
  auto row = decodeTextRow(payload, data[0] % 8);
  if (row.ok()) {
    // Not byte equality: a lenenc length may be sent in a wider form than needed.
    std::string out;
    encodeTextRow(out, *row);
    auto again = decodeTextRow(asBytes(out), row->size());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *row);
  }
  auto change = ChangeUserCommand::decode(payload, caps);
  if (change.ok()) roundTrip(*change, caps);
  return 0;
}

// The session state change records of an OK packet (OkPacket::sessionStateInfo, present with
// CLIENT_SESSION_TRACK when the status has SERVER_SESSION_STATE_CHANGED).
// https://mariadb.com/kb/en/ok_packet/ (session state info)
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
//
// The info is a sequence of records: a type byte (kSessionTrack* in constants.h), then the
// record's data as a length-encoded string. The data of
//  - SESSION_TRACK_SYSTEM_VARIABLES: the variable's name and its new value, two lenenc strings
//    (MariaDB sends one record per variable; more pairs in one record are read too);
//  - SESSION_TRACK_SCHEMA: the new current schema, a lenenc string;
//  - SESSION_TRACK_STATE_CHANGE: "1" (the data itself, not a nested lenenc string);
//  - other types (GTIDs, transaction state and characteristics, future ones): kept raw.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

struct SessionStateChange {
  uint8_t type = 0;  // kSessionTrack*
  // SYSTEM_VARIABLES: the variable's name; SCHEMA: the schema; STATE_CHANGE: the flag ("1");
  // other types: empty.
  std::string_view name;
  // SYSTEM_VARIABLES: its value as SHOW VARIABLES would show it (NULL reads as empty); other
  // types: the record's raw data.
  std::string_view value;

  friend bool operator==(const SessionStateChange&, const SessionStateChange&) = default;
};

// Appends every record of `info` to `out` (views into `info`, which must outlive them).
// Malformed info (a length past the end, a variable record without a value or with bytes left
// over, a schema record with bytes after its string) is an error; `out` may then hold
// the records read before it. Never reads past the end of `info`.
[[nodiscard]] Status decodeSessionState(Bytes info, std::vector<SessionStateChange>& out);

// The session state info of an OK packet's payload (header 0x00 or 0xFE) read with the
// connection's capabilities, as OkPacket::decode reads it but without copying: a view into
// `okPayload`, empty when the packet carries none. nullopt when the payload is not a well-formed
// OK. Never allocates.
std::optional<Bytes> sessionStateInfoOf(Bytes okPayload, uint32_t caps) noexcept;

}  // namespace rwproxy::protocol

#include "proxy/protocol/auth_switch.h"

#include "proxy/protocol/constants.h"

namespace rwproxy::protocol {

std::string_view AuthSwitchRequest::salt() const {
  std::string_view s = pluginData;
  if (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  return s;
}

Result<AuthSwitchRequest> AuthSwitchRequest::decode(Bytes payload) {
  Reader r(payload);
  std::optional<uint8_t> header = r.u8();
  if (!header || *header != kAuthSwitchHeader) return Error::malformed("not an auth switch");
  if (r.empty()) return Error::unsupported("switch to mysql_old_password");
  AuthSwitchRequest a;
  if (!r.nulString(a.pluginName) || !r.restString(a.pluginData)) {
    return Error::malformed("auth switch plugin name");
  }
  return a;
}

void AuthSwitchRequest::encode(std::string& out) const {
  Writer(out).u8(kAuthSwitchHeader).nulString(pluginName).bytes(pluginData);
}

Result<AuthMoreData> AuthMoreData::decode(Bytes payload) {
  Reader r(payload);
  std::optional<uint8_t> header = r.u8();
  if (!header || *header != kAuthMoreDataHeader) return Error::malformed("not auth more data");
  AuthMoreData a;
  if (!r.restString(a.data)) return Error::malformed("auth more data");
  return a;
}

void AuthMoreData::encode(std::string& out) const {
  Writer(out).u8(kAuthMoreDataHeader).bytes(data);
}

}  // namespace rwproxy::protocol

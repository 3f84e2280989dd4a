#include "proxy/protocol/handshake_response.h"

#include "proxy/protocol/constants.h"

namespace rwproxy::protocol {

namespace {
constexpr size_t kFillerSize = 19;  // Then 4 bytes: zero, or MariaDB extended capabilities.
}  // namespace

Status decodeConnectAttributes(Reader& r, ConnectAttributes& out) {
  // Some clients set CLIENT_CONNECT_ATTRS and send nothing; the server accepts that, so do we.
  if (r.empty()) return {};
  std::optional<uint64_t> total = r.lenencInt();
  if (!total) return Error::malformed("connection attributes length");
  if (*total > r.remaining()) return Error::malformed("truncated connection attributes");
  std::optional<Bytes> block = r.bytes(static_cast<size_t>(*total));
  if (!block) return Error::malformed("truncated connection attributes");
  Reader attrs(*block);
  while (!attrs.empty()) {
    std::optional<std::string_view> key = attrs.lenencString();
    std::optional<std::string_view> value = attrs.lenencString();
    if (!key || !value) return Error::malformed("connection attribute");
    out.emplace_back(*key, *value);
  }
  return {};
}

void encodeConnectAttributes(std::string& out, const ConnectAttributes& attrs) {
  size_t total = 0;
  for (const auto& [key, value] : attrs) {
    total += lenencIntSize(key.size()) + key.size() + lenencIntSize(value.size()) + value.size();
  }
  Writer w(out);
  w.lenencInt(total);
  for (const auto& [key, value] : attrs) w.lenencString(key).lenencString(value);
}

Result<SslRequest> SslRequest::decode(Bytes payload) {
  Reader r(payload);
  SslRequest s;
  if (!r.u32(s.capabilities) || !r.u32(s.maxPacketSize) || !r.u8(s.characterSet) ||
      !r.skip(kFillerSize)) {
    return Error::malformed("truncated handshake response header");
  }
  std::optional<uint32_t> extended = r.u32();
  if (!extended) return Error::malformed("truncated handshake response header");
  if ((s.capabilities & kClientMysql) == 0) s.mariadbExtendedCapabilities = *extended;
  return s;
}

void SslRequest::encode(std::string& out) const {
  Writer w(out);
  w.u32(capabilities).u32(maxPacketSize).u8(characterSet).zeros(kFillerSize);
  w.u32((capabilities & kClientMysql) ? 0 : mariadbExtendedCapabilities);
}

bool isSslRequest(Bytes payload) {
  if (payload.size() != kSslRequestSize) return false;
  uint32_t caps = static_cast<uint32_t>(payload[0]) | static_cast<uint32_t>(payload[1]) << 8;
  return (caps & kClientSsl) != 0;
}

Result<HandshakeResponse41> HandshakeResponse41::decode(Bytes payload) {
  Result<SslRequest> head = SslRequest::decode(payload);
  if (!head) return std::move(head).error();
  HandshakeResponse41 h;
  h.capabilities = head->capabilities;
  h.maxPacketSize = head->maxPacketSize;
  h.characterSet = head->characterSet;
  h.mariadbExtendedCapabilities = head->mariadbExtendedCapabilities;
  if ((h.capabilities & kClientProtocol41) == 0) {
    return Error::unsupported("pre-4.1 handshake response");
  }
  if (isSslRequest(payload)) return Error::malformed("SSLRequest where a login was expected");

  Reader r(payload.subspan(kSslRequestSize));
  if (!r.nulString(h.username)) return Error::malformed("handshake response user name");
  bool authOk = false;
  if (h.capabilities & kClientPluginAuthLenencClientData) {
    authOk = r.lenencString(h.authResponse);
  } else if (h.capabilities & kClientSecureConnection) {
    std::optional<uint8_t> n = r.u8();
    authOk = n && r.fixedString(h.authResponse, *n);
  } else {
    authOk = r.nulString(h.authResponse);
  }
  if (!authOk) return Error::malformed("handshake response auth data");
  if (h.capabilities & kClientConnectWithDb) {
    h.database.emplace();
    if (!r.nulString(*h.database)) return Error::malformed("handshake response database");
  }
  if (h.capabilities & kClientPluginAuth) {
    if (!r.nulString(h.authPluginName)) return Error::malformed("handshake response plugin");
  }
  if (h.capabilities & kClientConnectAttrs) {
    Status s = decodeConnectAttributes(r, h.connectAttributes);
    if (!s) return std::move(s).error();
  }
  return h;
}

void HandshakeResponse41::encode(std::string& out) const {
  SslRequest{capabilities, maxPacketSize, characterSet, mariadbExtendedCapabilities}.encode(out);
  Writer w(out);
  w.nulString(username);
  if (capabilities & kClientPluginAuthLenencClientData) {
    w.lenencString(authResponse);
  } else if (capabilities & kClientSecureConnection) {
    w.u8(static_cast<uint8_t>(authResponse.size())).bytes(authResponse);
  } else {
    w.nulString(authResponse);
  }
  if (capabilities & kClientConnectWithDb) w.nulString(database.value_or(""));
  if (capabilities & kClientPluginAuth) w.nulString(authPluginName);
  if (capabilities & kClientConnectAttrs) encodeConnectAttributes(out, connectAttributes);
}

}  // namespace rwproxy::protocol

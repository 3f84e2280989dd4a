#include "proxy/session/server_auth.h"

#include <openssl/rand.h>

#include <algorithm>

#include "proxy/protocol/auth_switch.h"
#include "proxy/protocol/constants.h"
#include "proxy/protocol/handshake.h"
#include "proxy/protocol/packet.h"

namespace rwproxy::session {

namespace p = rwproxy::protocol;

uint32_t serverCapabilities() {
  return p::kClientLongPassword | p::kClientFoundRows | p::kClientLongFlag |
         p::kClientConnectWithDb | p::kClientIgnoreSpace | p::kClientProtocol41 |
         p::kClientInteractive | p::kClientTransactions | p::kClientSecureConnection |
         p::kClientMultiStatements | p::kClientMultiResults | p::kClientPsMultiResults |
         p::kClientPluginAuth | p::kClientConnectAttrs | p::kClientPluginAuthLenencClientData |
         p::kClientSessionTrack | p::kClientDeprecateEof;
}

std::array<uint8_t, 20> ServerAuth::randomSalt() {
  // Drawn in bulk, per thread: each RAND_bytes call costs a getpid() (OpenSSL's fork check),
  // which a connect storm would pay once per client.
  constexpr size_t kSaltsPerDraw = 64;
  thread_local std::array<uint8_t, 20 * kSaltsPerDraw> pool{};
  thread_local size_t used = pool.size();
  std::array<uint8_t, 20> salt{};
  if (used == pool.size()) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) == 1) {
      used = 0;
    }
  }
  if (used == pool.size()) {
    // RAND_bytes failing means no entropy at all: refusing every login is the safe answer,
    // so make the salt unusable rather than predictable.
    salt.fill(0);
  } else {
    std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(used), salt.size(), salt.begin());
    used += salt.size();
  }
  for (auto& b : salt) {
    // Clients treat the scramble as a C string in places: keep it free of NUL and of '$'.
    b = static_cast<uint8_t>((b % 94) + 33);
  }
  return salt;
}

p::Error ServerAuth::accessDenied(std::string_view user, std::string_view host, bool usedPassword) {
  return p::Error{1045, "28000",
                  "Access denied for user '" + std::string(user) + "'@'" + std::string(host) +
                      "' (using password: " + (usedPassword ? "YES" : "NO") + ")"};
}

ServerAuth::ServerAuth(uint32_t connectionId, const std::array<uint8_t, 20>& salt)
    : connectionId_(connectionId), salt_(salt) {}

void ServerAuth::greet(std::string& out, std::string_view serverVersion, uint8_t charset) {
  p::HandshakeV10 hello;
  hello.serverVersion = serverVersion;
  hello.connectionId = connectionId_;
  hello.authPluginData.assign(reinterpret_cast<const char*>(salt_.data()), salt_.size());
  hello.capabilities = serverCapabilities();
  hello.characterSet = charset;
  hello.statusFlags = p::kServerStatusAutocommit;
  hello.authPluginName = p::kNativePasswordPlugin;
  size_t header = p::beginPacket(out);
  hello.encode(out);
  uint8_t seq = 0;
  p::endPacket(out, header, seq);
}

ServerAuth::Step ServerAuth::fail(p::Error error) {
  error_ = std::move(error);
  state_ = State::Done;
  return Step::Failed;
}

ServerAuth::Step ServerAuth::onPacket(p::Bytes payload, uint8_t sequenceId,
                                      const PasswordLookup& lookup, const HostLookup& clientHost,
                                      std::string& out) {
  if (sequenceId != nextSeq_) {
    return fail(p::Error::outOfOrder("during the handshake"));
  }
  nextSeq_ = static_cast<uint8_t>(sequenceId + 1);
  switch (state_) {
    case State::AwaitResponse: {
      if (p::isSslRequest(payload)) {
        return fail(p::Error{1043, "08S01", "Bad handshake: TLS is not enabled on this port"});
      }
      auto decoded = p::HandshakeResponse41::decode(payload);
      if (!decoded) {
        return fail(p::Error{1043, "08S01", "Bad handshake: " + decoded.error().message});
      }
      response_ = std::move(*decoded);
      if ((response_.capabilities & p::kClientProtocol41) == 0) {
        return fail(p::Error{1043, "08S01", "Bad handshake: clients before 4.1 are not supported"});
      }
      std::string plugin = response_.authPluginName;
      if (plugin.empty()) {
        plugin = p::kNativePasswordPlugin;  // a client without PLUGIN_AUTH answers natively
      }
      return checkPassword(plugin, p::asBytes(response_.authResponse), lookup, clientHost, out);
    }
    case State::AwaitSwitch:
      return checkPassword(p::kNativePasswordPlugin, payload, lookup, clientHost, out);
    case State::Done:
      break;
  }
  return fail(p::Error::malformed("packet after the handshake finished"));
}

ServerAuth::Step ServerAuth::checkPassword(std::string_view plugin, p::Bytes authResponse,
                                           const PasswordLookup& lookup,
                                           const HostLookup& clientHost, std::string& out) {
  const std::string& user = response_.username;
  auto stored = lookup(user);
  if (!stored) {
    return fail(accessDenied(user, clientHost(), !authResponse.empty()));
  }
  if (plugin == p::kCachingSha2Plugin && !p::isNativePasswordHash(*stored) &&
      state_ == State::AwaitResponse) {
    // Fast authentication: the client proves knowledge of the plaintext we hold.
    if (!p::verifyCachingSha2(*stored, salt_, authResponse)) {
      return fail(accessDenied(user, clientHost(), !authResponse.empty()));
    }
    size_t header = p::beginPacket(out);
    p::AuthMoreData{std::string(1, '\x03')}.encode(out);  // fast_auth_success
    p::endPacket(out, header, nextSeq_);
    stage1_.reset();
    state_ = State::Done;
    return Step::Authenticated;
  }
  if (plugin != p::kNativePasswordPlugin) {
    if (state_ != State::AwaitResponse) {
      return fail(accessDenied(user, clientHost(), true));
    }
    // Ask for mysql_native_password with the same salt.
    p::AuthSwitchRequest sw;
    sw.pluginName = p::kNativePasswordPlugin;
    sw.pluginData.assign(reinterpret_cast<const char*>(salt_.data()), salt_.size());
    sw.pluginData.push_back('\0');
    size_t header = p::beginPacket(out);
    sw.encode(out);
    p::endPacket(out, header, nextSeq_);
    state_ = State::AwaitSwitch;
    return Step::Continue;
  }
  auto stage1 = p::verifyNativePassword(*stored, salt_, authResponse);
  if (!stage1) {
    return fail(accessDenied(user, clientHost(), !authResponse.empty()));
  }
  stage1_ = *stage1;
  state_ = State::Done;
  return Step::Authenticated;
}

bool ServerAuth::verifyChangeUser(std::string_view stored, std::string_view plugin,
                                  p::Bytes authResponse) {
  if (!plugin.empty() && plugin != p::kNativePasswordPlugin) {
    return false;
  }
  auto stage1 = p::verifyNativePassword(stored, salt_, authResponse);
  if (!stage1) {
    return false;
  }
  stage1_ = *stage1;
  return true;
}

}  // namespace rwproxy::session

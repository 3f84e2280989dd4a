#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/protocol/auth.h"
#include "proxy/protocol/handshake_response.h"
#include "proxy/protocol/result.h"
#include "proxy/protocol/wire.h"

namespace rwproxy::session {

// Capabilities we offer to clients (both on the app port and the admin port).
uint32_t serverCapabilities();

// The server side of the connection phase: greeting, handshake response, optional auth switch,
// password check (https://mariadb.com/kb/en/connection/). It verifies the password and stops
// there: policy (active users, connection limits) and the final OK or ERR belong to the caller,
// which sends them with nextSequence().
class ServerAuth {
 public:
  // Returns the stored password of a user (plaintext or "*" + 40 hex), nullopt when unknown.
  using PasswordLookup = std::function<std::optional<std::string>(std::string_view user)>;
  // The client's address, asked for only when an error names it (a getpeername per client
  // otherwise).
  using HostLookup = std::function<const std::string&()>;

  enum class Step { Continue, Authenticated, Failed };

  // `salt` must be unpredictable (20 bytes, no NUL): fill it with randomSalt().
  ServerAuth(uint32_t connectionId, const std::array<uint8_t, 20>& salt);

  // Appends the HandshakeV10 packet (sequence 0).
  void greet(std::string& out, std::string_view serverVersion, uint8_t charset);

  // Feeds the next client packet of the connection phase; may append a reply (auth switch) to
  // `out`. `clientHost` is only for the error text.
  Step onPacket(protocol::Bytes payload, uint8_t sequenceId, const PasswordLookup& lookup,
                const HostLookup& clientHost, std::string& out);

  // Valid after Authenticated (and after Failed when the response parsed).
  const protocol::HandshakeResponse41& response() const { return response_; }
  uint32_t negotiatedCapabilities() const { return response_.capabilities & serverCapabilities(); }
  // SHA1(password), recovered from a mysql_native_password answer: lets the proxy log in to a
  // backend when only the password hash is stored. nullopt after caching_sha2_password.
  const std::optional<protocol::Sha1Digest>& stage1() const { return stage1_; }
  // The reason, after Failed.
  const protocol::Error& error() const { return error_; }
  uint8_t nextSequence() const { return nextSeq_; }
  const std::array<uint8_t, 20>& salt() const { return salt_; }

  // Verifies a COM_CHANGE_USER answer (computed with this connection's salt) for `user`.
  // Returns true and updates stage1() on success.
  bool verifyChangeUser(std::string_view stored, std::string_view plugin,
                        protocol::Bytes authResponse);

  static std::array<uint8_t, 20> randomSalt();
  static protocol::Error accessDenied(std::string_view user, std::string_view host,
                                      bool usedPassword);

 private:
  enum class State { AwaitResponse, AwaitSwitch, Done };

  Step checkPassword(std::string_view plugin, protocol::Bytes authResponse,
                     const PasswordLookup& lookup, const HostLookup& clientHost, std::string& out);
  Step fail(protocol::Error error);

  State state_ = State::AwaitResponse;
  uint32_t connectionId_;
  std::array<uint8_t, 20> salt_;
  protocol::HandshakeResponse41 response_;
  std::optional<protocol::Sha1Digest> stage1_;
  protocol::Error error_;
  uint8_t nextSeq_ = 1;
};

}  // namespace rwproxy::session

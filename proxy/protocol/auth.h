// Password scrambles for mysql_native_password and caching_sha2_password (fast path).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html
// https://mariadb.com/kb/en/connection/#mysql_native_password-plugin
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/protocol/wire.h"

namespace rwproxy::protocol {

constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";
constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";
constexpr size_t kScrambleSize = 20;

using Sha1Digest = std::array<uint8_t, 20>;
using Sha256Digest = std::array<uint8_t, 32>;

Sha1Digest sha1(Bytes data);
Sha256Digest sha256(Bytes data);

// mysql_native_password: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))). The salt is the 20-byte
// scramble. An empty password is sent as an empty response, not as this value: see
// nativeAuthResponse.
Sha1Digest scrambleNativePassword(std::string_view password, Bytes salt);
// The auth response to send: empty for an empty password, else the 20-byte scramble.
std::string nativeAuthResponse(std::string_view password, Bytes salt);
// The same scramble from stage1 = SHA1(password), so the proxy can log in to a backend with a
// password it only knows as stage1 (recovered by verifyNativePassword).
Sha1Digest scrambleFromStage1(const Sha1Digest& stage1, Bytes salt);
// MySQL's PASSWORD(): "*" + 40 uppercase hex digits of SHA1(SHA1(pw)); "" for "".
std::string nativePasswordHash(std::string_view password);
// True for a stored "*" + 40 hex digits (either case) value, as opposed to a plaintext.
bool isNativePasswordHash(std::string_view stored);

// Checks a client's mysql_native_password response against a stored password: plaintext, or
// the "*HEX" hash (either case). On success returns stage1 = SHA1(password), recovered from the
// response, for scrambleFromStage1. An empty stored password accepts only an empty response
// and then returns an all-zero array (the caller sends an empty response to the backend).
// Comparisons are constant-time.
std::optional<Sha1Digest> verifyNativePassword(std::string_view stored, Bytes salt,
                                               Bytes clientResponse);

// caching_sha2_password fast auth: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + salt).
Sha256Digest scrambleCachingSha2(std::string_view password, Bytes salt);
// True if response is the fast-auth scramble of plaintext (empty password: empty response).
bool verifyCachingSha2(std::string_view plaintext, Bytes salt, Bytes response);

}  // namespace rwproxy::protocol

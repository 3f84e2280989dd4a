#include "proxy/protocol/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>

namespace rwproxy::protocol {

namespace {

template <size_t N>
std::array<uint8_t, N> digest(const EVP_MD* md, Bytes a, Bytes b = {}) {
  std::array<uint8_t, N> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  // These calls fail only on allocation failure or a broken OpenSSL; both are fatal.
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 ||
      (!b.empty() && EVP_DigestUpdate(ctx, b.data(), b.size()) != 1) ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != N) {
    std::abort();
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

template <size_t N>
Bytes view(const std::array<uint8_t, N>& a) {
  return {a.data(), a.size()};
}

template <size_t N>
std::array<uint8_t, N> xored(const std::array<uint8_t, N>& a, const std::array<uint8_t, N>& b) {
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = a[i] ^ b[i];
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// SHA1(SHA1(password)) of the stored value, whichever form it is stored in.
Sha1Digest storedStage2(std::string_view stored) {
  if (!isNativePasswordHash(stored)) return sha1(view(sha1(asBytes(stored))));
  Sha1Digest out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(hexValue(stored[1 + 2 * i]) << 4 | hexValue(stored[2 + 2 * i]));
  }
  return out;
}

}  // namespace

Sha1Digest sha1(Bytes data) { return digest<20>(EVP_sha1(), data); }
Sha256Digest sha256(Bytes data) { return digest<32>(EVP_sha256(), data); }

Sha1Digest scrambleNativePassword(std::string_view password, Bytes salt) {
  return scrambleFromStage1(sha1(asBytes(password)), salt);
}

std::string nativeAuthResponse(std::string_view password, Bytes salt) {
  if (password.empty()) return {};
  Sha1Digest s = scrambleNativePassword(password, salt);
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

Sha1Digest scrambleFromStage1(const Sha1Digest& stage1, Bytes salt) {
  Sha1Digest stage2 = sha1(view(stage1));
  return xored(stage1, digest<20>(EVP_sha1(), salt, view(stage2)));
}

std::string nativePasswordHash(std::string_view password) {
  if (password.empty()) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  Sha1Digest stage2 = sha1(view(sha1(asBytes(password))));
  std::string out = "*";
  for (uint8_t b : stage2) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

bool isNativePasswordHash(std::string_view stored) {
  if (stored.size() != 41 || stored[0] != '*') return false;
  for (char c : stored.substr(1)) {
    if (hexValue(c) < 0) return false;
  }
  return true;
}

std::optional<Sha1Digest> verifyNativePassword(std::string_view stored, Bytes salt,
                                               Bytes clientResponse) {
  if (stored.empty()) {
    if (clientResponse.empty()) return Sha1Digest{};
    return std::nullopt;
  }
  if (clientResponse.size() != kScrambleSize) return std::nullopt;
  Sha1Digest stage2 = storedStage2(stored);
  Sha1Digest response{};
  std::copy(clientResponse.begin(), clientResponse.end(), response.begin());
  // response = stage1 XOR SHA1(salt + stage2), so XOR again to get stage1 back; it is right
  // iff SHA1(stage1) is the stored stage2.
  Sha1Digest stage1 = xored(response, digest<20>(EVP_sha1(), salt, view(stage2)));
  Sha1Digest check = sha1(view(stage1));
  if (CRYPTO_memcmp(check.data(), stage2.data(), stage2.size()) != 0) return std::nullopt;
  return stage1;
}

Sha256Digest scrambleCachingSha2(std::string_view password, Bytes salt) {
  Sha256Digest stage1 = sha256(asBytes(password));
  Sha256Digest stage2 = sha256(view(stage1));
  return xored(stage1, digest<32>(EVP_sha256(), view(stage2), salt));
}

bool verifyCachingSha2(std::string_view plaintext, Bytes salt, Bytes response) {
  if (plaintext.empty()) return response.empty();
  if (response.size() != 32) return false;
  Sha256Digest expected = scrambleCachingSha2(plaintext, salt);
  return CRYPTO_memcmp(expected.data(), response.data(), expected.size()) == 0;
}

}  // namespace rwproxy::protocol

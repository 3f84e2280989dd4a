#include "proxy/protocol/auth.h"

#include <cctype>

#include "tests/unit/proxy/protocol/fixtures.h"
#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::fromHex;
using test::toHex;

std::string salt20() {
  std::string s;
  for (int i = 1; i <= 20; ++i) s.push_back(static_cast<char>(i));
  return s;
}

template <size_t N>
std::string str(const std::array<uint8_t, N>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), N);
}

TEST_CASE("nativePasswordHash matches MySQL's PASSWORD()", "[auth]") {
  CHECK(nativePasswordHash("password") == "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  CHECK(nativePasswordHash("") == "");
  CHECK(isNativePasswordHash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"));
  CHECK(isNativePasswordHash("*2470c0c06dee42fd1618bb99005adca2ec9d1e19"));
  CHECK_FALSE(isNativePasswordHash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1"));
  CHECK_FALSE(isNativePasswordHash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1G"));
  CHECK_FALSE(isNativePasswordHash("password"));
}

TEST_CASE("scrambleNativePassword matches an independently computed value", "[auth]") {
  // SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))) for "secret" and salt 01..14, from Python hashlib.
  std::string salt = salt20();
  CHECK(toHex(str(scrambleNativePassword("secret", asBytes(salt)))) ==
        "b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
  CHECK(nativeAuthResponse("", asBytes(salt)).empty());
  CHECK(nativeAuthResponse("secret", asBytes(salt)).size() == 20);
}

TEST_CASE("verifyNativePassword accepts plaintext and hashed stored passwords", "[auth]") {
  std::string salt = salt20();
  std::string response = nativeAuthResponse("secret", asBytes(salt));
  std::string hash = nativePasswordHash("secret");
  std::string lowerHash = hash;
  for (char& c : lowerHash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string& stored : {std::string("secret"), hash, lowerHash}) {
    INFO("stored " << stored);
    auto stage1 = verifyNativePassword(stored, asBytes(salt), asBytes(response));
    REQUIRE(stage1.has_value());
    CHECK(*stage1 == sha1(asBytes(std::string_view("secret"))));
  }
}

TEST_CASE("verifyNativePassword rejects wrong passwords and malformed responses", "[auth]") {
  std::string salt = salt20();
  std::string response = nativeAuthResponse("secret", asBytes(salt));
  CHECK_FALSE(verifyNativePassword("Secret", asBytes(salt), asBytes(response)));
  CHECK_FALSE(verifyNativePassword(nativePasswordHash("other"), asBytes(salt), asBytes(response)));
  std::string otherSalt = salt;
  otherSalt[0] ^= 1;
  CHECK_FALSE(verifyNativePassword("secret", asBytes(otherSalt), asBytes(response)));
  CHECK_FALSE(verifyNativePassword("secret", asBytes(salt), asBytes(response.substr(0, 19))));
  CHECK_FALSE(verifyNativePassword("secret", asBytes(salt), Bytes{}));
  std::string flipped = response;
  flipped[19] ^= 0x80;
  CHECK_FALSE(verifyNativePassword("secret", asBytes(salt), asBytes(flipped)));
}

TEST_CASE("empty stored password accepts only an empty response", "[auth]") {
  std::string salt = salt20();
  auto ok = verifyNativePassword("", asBytes(salt), Bytes{});
  REQUIRE(ok.has_value());
  CHECK(*ok == Sha1Digest{});
  std::string response = nativeAuthResponse("x", asBytes(salt));
  CHECK_FALSE(verifyNativePassword("", asBytes(salt), asBytes(response)));
  // A non-empty stored password refuses an empty response.
  CHECK_FALSE(verifyNativePassword("secret", asBytes(salt), Bytes{}));
}

TEST_CASE("stage1 recovered from a client logs in to a backend without the plaintext", "[auth]") {
  std::string clientSalt = salt20();
  std::string backendSalt = fromHex(test::kMariadbSalt);
  std::string response = nativeAuthResponse("app_pw", asBytes(clientSalt));
  auto stage1 =
      verifyNativePassword(nativePasswordHash("app_pw"), asBytes(clientSalt), asBytes(response));
  REQUIRE(stage1.has_value());
  CHECK(scrambleFromStage1(*stage1, asBytes(backendSalt)) ==
        scrambleNativePassword("app_pw", asBytes(backendSalt)));
  // And it equals what the real mariadb CLI sent for the captured greeting.
  CHECK(toHex(str(scrambleFromStage1(*stage1, asBytes(backendSalt)))) ==
        "739af5fc1db4906f5f826f1463edcec6d43dc06d");
}

TEST_CASE("caching_sha2_password fast auth scramble", "[auth]") {
  std::string salt = salt20();
  // XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) + salt)) for "secret", from Python hashlib.
  Sha256Digest s = scrambleCachingSha2("secret", asBytes(salt));
  CHECK(toHex(str(s)) == "746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9");
  CHECK(verifyCachingSha2("secret", asBytes(salt), Bytes(s.data(), s.size())));
  CHECK_FALSE(verifyCachingSha2("secreT", asBytes(salt), Bytes(s.data(), s.size())));
  CHECK_FALSE(verifyCachingSha2("secret", asBytes(salt), Bytes(s.data(), 31)));
  CHECK(verifyCachingSha2("", asBytes(salt), Bytes{}));
  CHECK_FALSE(verifyCachingSha2("", asBytes(salt), Bytes(s.data(), s.size())));
}

TEST_CASE("sha1 and sha256 of known strings", "[auth]") {
  CHECK(toHex(str(sha1(asBytes(std::string_view("abc"))))) ==
        "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(toHex(str(sha256(asBytes(std::string_view("abc"))))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace rwproxy::protocol

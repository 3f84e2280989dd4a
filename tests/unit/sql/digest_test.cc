#include "sql/digest.h"

#include <catch2/catch.hpp>
#include <string>

namespace rwproxy::sql {
namespace {

std::string digestOf(std::string_view query, const DigestOptions& options = {}) {
  std::string out;
  return std::string(computeDigest(query, out, options).text);
}

TEST_CASE("digest with replaceNull", "[sql][digest]") {
  DigestOptions options;
  options.replaceNull = true;
  CHECK(digestOf("SELECT NULL", options) == "SELECT ?");
  CHECK(digestOf("SELECT \\N", options) == "SELECT ?");
  CHECK(digestOf("SELECT * FROM t WHERE a IS NULL", options) == "SELECT * FROM t WHERE a IS NULL");
  CHECK(digestOf("SELECT * FROM t WHERE a IS NOT null", options) ==
        "SELECT * FROM t WHERE a IS NOT null");
  CHECK(digestOf("SELECT * FROM t WHERE NOT NULL", options) == "SELECT * FROM t WHERE NOT ?");
  CHECK(digestOf("UPDATE t SET a = NULL", options) == "UPDATE t SET a = ?");
  CHECK(digestOf("INSERT INTO t VALUES (NULL,1),(NULL,2)", options) ==
        "INSERT INTO t VALUES (?,?),...");
  CHECK(digestOf("SELECT TRUE", options) == "SELECT TRUE");
}

TEST_CASE("digest with NO_BACKSLASH_ESCAPES", "[sql][digest]") {
  DigestOptions options;
  options.tokenizer.noBackslashEscapes = true;
  CHECK(digestOf("SELECT 'a\\' , 'b'", options) == "SELECT ?,?");
  // With escapes the same text is one string followed by an unterminated bit literal.
  CHECK(digestOf("SELECT 'a\\' , 'b'") == "SELECT ??");
}

TEST_CASE("digest truncates at maxLength", "[sql][digest]") {
  DigestOptions options;
  options.maxLength = 10;
  std::string out;
  DigestResult r = computeDigest("SELECT * FROM t", out, options);
  CHECK(r.text == "SELECT * F");
  CHECK(r.truncated);
  CHECK(r.hash == digestHash("SELECT * F"));

  // Never cut inside a UTF-8 sequence: 'é' is two bytes and would straddle the limit.
  options.maxLength = 8;
  r = computeDigest("SELECT \xC3\xA9", out, options);
  CHECK(r.text == "SELECT ");
  CHECK(r.truncated);

  options.maxLength = 9;
  r = computeDigest("SELECT \xC3\xA9", out, options);
  CHECK(r.text == "SELECT \xC3\xA9");
  CHECK_FALSE(r.truncated);

  options.maxLength = 0;
  r = computeDigest("SELECT 1", out, options);
  CHECK(r.text.empty());
  CHECK(r.truncated);
  CHECK_FALSE(computeDigest("", out, options).truncated);
}

TEST_CASE("digest of a huge IN list stays short", "[sql][digest]") {
  std::string query = "SELECT * FROM t WHERE id IN (";
  for (int i = 0; i < 100000; ++i) query += (i == 0 ? "" : ", ") + std::to_string(i);
  query += ")";
  std::string out;
  const DigestResult r = computeDigest(query, out);
  CHECK(r.text == "SELECT * FROM t WHERE id IN (?,...)");
  CHECK_FALSE(r.truncated);
}

TEST_CASE("digest of a long query truncates at the default 65000", "[sql][digest]") {
  std::string query = "SELECT ";
  for (int i = 0; i < 20000; ++i) query += "a" + std::to_string(i) + "+";
  query += "1";
  std::string out;
  const DigestResult r = computeDigest(query, out);
  CHECK(r.truncated);
  CHECK(r.text.size() == kDefaultDigestMaxLength);
  CHECK(r.text == std::string_view(query).substr(0, kDefaultDigestMaxLength));
}

TEST_CASE("digest into a caller buffer", "[sql][digest]") {
  char buffer[64];
  DigestResult r = computeDigest("SELECT 1", buffer, sizeof buffer);
  CHECK(r.text == "SELECT ?");
  CHECK(r.text.data() == buffer);
  // A buffer smaller than the digest truncates, like maxLength.
  r = computeDigest("SELECT 1", buffer, 4);
  CHECK(r.text == "SELE");
  CHECK(r.truncated);
  r = computeDigest("SELECT 1", nullptr, 0);
  CHECK(r.text.empty());
  CHECK(r.truncated);
}

TEST_CASE("digest reuses the std::string's capacity", "[sql][digest]") {
  std::string out;
  computeDigest("SELECT * FROM t WHERE id IN (1,2,3) AND name = 'x'", out);
  const char* data = out.data();
  const size_t capacity = out.capacity();
  for (int i = 0; i < 10; ++i) {
    const DigestResult r = computeDigest("SELECT * FROM t WHERE id = 42", out);
    CHECK(r.text == "SELECT * FROM t WHERE id = ?");
  }
  CHECK(out.data() == data);
  CHECK(out.capacity() == capacity);
}

TEST_CASE("digest hash is stable", "[sql][digest]") {
  // Hard-coded: a change of the hash function changes every stored digest and rule.
  CHECK(digestHash("") == 0xEFD01F60BA992926ULL);
  CHECK(digestHash("SELECT ?") == 0xEE8683B7C1ECBEF8ULL);
  CHECK(digestHash("SELECT * FROM t WHERE id = ?") == 0x562CE4AECB949113ULL);
  CHECK(digestHash("INSERT INTO t VALUES (?,?),...") == 0x2C40EECA94C74696ULL);
  CHECK(digestHash("select @@version_comment limit ?") == 0x1582C222D9C258B9ULL);
  std::string out;
  CHECK(computeDigest("SELECT 1", out).hash == 0xEE8683B7C1ECBEF8ULL);
  CHECK(digestHash("SELECT ?") != digestHash("select ?"));
}

TEST_CASE("digest hash text", "[sql][digest]") {
  CHECK(formatDigestHash(0).view() == "0x0000000000000000");
  CHECK(formatDigestHash(0x1234).view() == "0x0000000000001234");
  CHECK(formatDigestHash(0xABCDEF0123456789ULL).view() == "0xABCDEF0123456789");
  CHECK(formatDigestHash(digestHash("SELECT ?")).view() == "0xEE8683B7C1ECBEF8");
  CHECK(parseDigestHash("0xEE8683B7C1ECBEF8") == 0xEE8683B7C1ECBEF8ULL);
  CHECK(parseDigestHash("0xee8683b7c1ecbef8") == 0xEE8683B7C1ECBEF8ULL);
  CHECK(parseDigestHash("0X1") == 1u);
  CHECK_FALSE(parseDigestHash("0x").has_value());
  CHECK_FALSE(parseDigestHash("EE8683B7C1ECBEF8").has_value());
  CHECK_FALSE(parseDigestHash("0x0EE8683B7C1ECBEF8").has_value());
  CHECK_FALSE(parseDigestHash("0xZZ").has_value());
}

TEST_CASE("digest survives every prefix of tricky input", "[sql][digest]") {
  // Every truncation point of a query that uses every construct: no crash, no read past the
  // end (ASan), and the output never exceeds the buffer bound.
  const std::string_view query =
      "/*!40101 SET @a=1 */; SELECT /*+ h */ `a``b`, 'x\\'y''z', \"q\", 0x1F, X'0F', b'1', 1.5e-3, "
      "@v, @@session.x, ?, -1 FROM t -- c\n WHERE id IN (1,2,(3)) # d\n AND v IN ((1,2),(3,4)); "
      "INSERT INTO t VALUES (1,'\xC3\xA9'),(2,NULL) /* e */";
  std::string out;
  for (size_t n = 0; n <= query.size(); ++n) {
    const std::string prefix(query.substr(0, n));  // own allocation so ASan sees overreads
    const DigestResult r = computeDigest(prefix, out);
    CHECK(r.text.size() <= digestBufferSize(n, kDefaultDigestMaxLength));
    CHECK_FALSE(r.truncated);
  }
}

}  // namespace
}  // namespace rwproxy::sql

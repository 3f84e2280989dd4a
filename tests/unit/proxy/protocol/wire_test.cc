#include "proxy/protocol/wire.h"

#include "tests/unit/proxy/protocol/test_util.h"

namespace rwproxy::protocol {
namespace {

using test::forEachPrefix;
using test::fromHex;
using test::toHex;

std::string lenenc(uint64_t v) {
  std::string out;
  Writer(out).lenencInt(v);
  return out;
}

TEST_CASE("lenenc integers use the documented width at every boundary", "[wire]") {
  struct Case {
    uint64_t value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {250, "fa"},
      {251, "fcfb00"},
      {0xFFFF, "fcffff"},
      {0x10000, "fd000001"},
      {0xFFFFFF, "fdffffff"},
      {0x1000000, "fe0000000100000000"},
      {0xFFFFFFFFFFFFFFFFull, "feffffffffffffffff"},
  };
  for (const Case& c : cases) {
    INFO("value " << c.value);
    std::string bytes = lenenc(c.value);
    CHECK(toHex(bytes) == c.hex);
    CHECK(bytes.size() == lenencIntSize(c.value));
    Reader r(asBytes(bytes));
    CHECK(r.lenencInt() == c.value);
    CHECK(r.empty());
    CHECK(r.ok());
    forEachPrefix(bytes, [](Bytes prefix, size_t) {
      Reader t(prefix);
      CHECK_FALSE(t.lenencInt());
      CHECK_FALSE(t.ok());
      CHECK(t.position() == 0);
    });
  }
}

TEST_CASE("lenenc integer rejects the NULL and ERR markers", "[wire]") {
  for (const char* hex : {"fb", "ff", "ff0000"}) {
    std::string bytes = fromHex(hex);
    Reader r(asBytes(bytes));
    CHECK_FALSE(r.lenencInt());
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("fixed-width integers are little-endian", "[wire]") {
  std::string out;
  Writer(out)
      .u8(0x01)
      .u16(0x0302)
      .u24(0x060504)
      .u32(0x0a090807)
      .u48(0x100f0e0d0c0b)
      .u64(0x1817161514131211ull);
  CHECK(toHex(out) == "0102030405060708090a0b0c0d0e0f101112131415161718");
  Reader r(asBytes(out));
  CHECK(r.u8() == 0x01);
  CHECK(r.u16() == 0x0302);
  CHECK(r.u24() == 0x060504u);
  CHECK(r.u32() == 0x0a090807u);
  CHECK(r.u48() == 0x100f0e0d0c0bull);
  CHECK(r.u64() == 0x1817161514131211ull);
  CHECK(r.empty());
  CHECK_FALSE(r.u8());
  CHECK_FALSE(r.ok());
}

TEST_CASE("a failed read leaves the position and makes the reader fail from then on", "[wire]") {
  std::string bytes = fromHex("01 02 03");
  Reader r(asBytes(bytes));
  CHECK(r.u8() == 1);
  CHECK_FALSE(r.u32());
  CHECK(r.position() == 1);
  CHECK_FALSE(r.u8());  // Sticky, although a byte is left.
  CHECK_FALSE(r.peek());
}

TEST_CASE("strings", "[wire]") {
  std::string out;
  Writer(out).lenencString("abc").nulString("de").lenencString("").bytes("xyz");
  CHECK(toHex(out) ==
        "03616263646500"
        "00"
        "78797a");
  Reader r(asBytes(out));
  CHECK(r.lenencString() == "abc");
  CHECK(r.nulString() == "de");
  CHECK(r.lenencString() == "");
  CHECK(r.restString() == "xyz");
  CHECK(r.restString() == "");  // Empty rest is fine.
  CHECK(r.ok());
}

TEST_CASE("string reads never run past the end", "[wire]") {
  std::string longString(300, 'x');
  std::string out;
  Writer(out).lenencString(longString);
  forEachPrefix(out, [](Bytes prefix, size_t) {
    Reader r(prefix);
    CHECK_FALSE(r.lenencString());
  });
  std::string nul = "abc";  // No terminator.
  Reader r(asBytes(nul));
  CHECK_FALSE(r.nulString());
  Reader empty(Bytes{});
  CHECK_FALSE(empty.nulString());
  Reader fixed(asBytes(nul));
  CHECK_FALSE(fixed.fixedString(4));
  Reader zero(Bytes{});
  CHECK(zero.fixedString(0) == "");
  CHECK(zero.bytes(0).has_value());
}

TEST_CASE("a lenenc string longer than the payload fails even with a huge length", "[wire]") {
  std::string bytes = fromHex("feffffffffffffffff 61");
  Reader r(asBytes(bytes));
  CHECK_FALSE(r.lenencString());
  CHECK(r.position() == 0);
}

TEST_CASE("out-parameter reads chain", "[wire]") {
  std::string out;
  Writer(out).u8(7).u16(513).lenencInt(70000).nulString("n").lenencString("s");
  Reader r(asBytes(out));
  uint8_t a = 0;
  uint16_t b = 0;
  uint64_t c = 0;
  std::string d;
  std::string e;
  REQUIRE((r.u8(a) && r.u16(b) && r.lenencInt(c) && r.nulString(d) && r.lenencString(e)));
  CHECK(a == 7);
  CHECK(b == 513);
  CHECK(c == 70000);
  CHECK(d == "n");
  CHECK(e == "s");
  CHECK_FALSE(r.u8(a));
}

}  // namespace
}  // namespace rwproxy::protocol

#include "sql/tokenizer.h"

#include <catch2/catch.hpp>
#include <string>

namespace rwproxy::sql {
namespace {

std::string_view abbreviation(TokenKind kind) {
  switch (kind) {
    case TokenKind::End:
      return "END";
    case TokenKind::Whitespace:
      return "_";
    case TokenKind::Comment:
      return "C";
    case TokenKind::ExecutableComment:
      return "X";
    case TokenKind::OptimizerHint:
      return "H";
    case TokenKind::Word:
      return "W";
    case TokenKind::QuotedIdentifier:
      return "Q";
    case TokenKind::String:
      return "S";
    case TokenKind::DoubleQuotedString:
      return "D";
    case TokenKind::Integer:
      return "I";
    case TokenKind::Decimal:
      return "F";
    case TokenKind::HexNumber:
      return "HEX";
    case TokenKind::BitNumber:
      return "BIT";
    case TokenKind::Null:
      return "NULL";
    case TokenKind::Boolean:
      return "BOOL";
    case TokenKind::Placeholder:
      return "P";
    case TokenKind::UserVariable:
      return "UV";
    case TokenKind::SystemVariable:
      return "SV";
    case TokenKind::Operator:
      return "O";
    case TokenKind::LeftParen:
      return "(";
    case TokenKind::RightParen:
      return ")";
    case TokenKind::Comma:
      return ",";
    case TokenKind::Semicolon:
      return ";";
    case TokenKind::Dot:
      return ".";
    case TokenKind::Unknown:
      return "?";
  }
  return "";
}

// Renders every token as KIND:text (whitespace as "_"), "!" marking unterminated tokens,
// separated by spaces.
std::string render(std::string_view input, TokenizerOptions options = {}) {
  Tokenizer tokenizer(input, options);
  std::string out;
  size_t covered = 0;
  for (Token t = tokenizer.next(); t.kind != TokenKind::End; t = tokenizer.next()) {
    REQUIRE(t.text.data() == input.data() + covered);  // contiguous, nothing skipped
    covered += t.text.size();
    if (!out.empty()) out += ' ';
    out += abbreviation(t.kind);
    if (t.kind != TokenKind::Whitespace && t.kind != TokenKind::LeftParen &&
        t.kind != TokenKind::RightParen && t.kind != TokenKind::Comma &&
        t.kind != TokenKind::Semicolon && t.kind != TokenKind::Dot) {
      out += ':';
      out += t.text;
    }
    if (t.unterminated) out += '!';
  }
  REQUIRE(covered == input.size());
  return out;
}

struct LexCase {
  std::string_view input;
  std::string_view tokens;
};

// Every token kind, each number form, quoting, comments, variables and malformed input.
constexpr LexCase kLexCases[] = {
    {"", ""},
    {"   ", "_"},
    {"SELECT 1", "W:SELECT _ I:1"},
    {"select\t\n*", "W:select _ O:*"},
    {"t1 _a $b a$1", "W:t1 _ W:_a _ W:$b _ W:a$1"},
    {"1abc 123e", "W:1abc _ W:123e"},
    {"42 0 007", "I:42 _ I:0 _ I:007"},
    {"1.5 .5 1. 1e10 1.5E-3 2e+4", "F:1.5 _ F:.5 _ F:1. _ F:1e10 _ F:1.5E-3 _ F:2e+4"},
    {"1.e5", "F:1.e5"},
    {"1e", "W:1e"},
    {"1.5e", "F:1.5 W:e"},
    {"0x1F 0xab X'0F' x'0f'", "HEX:0x1F _ HEX:0xab _ HEX:X'0F' _ HEX:x'0f'"},
    {"0X1F", "W:0X1F"},
    {"0x1G 0x", "W:0x1G _ W:0x"},
    {"0b01 b'0101' B'1'", "BIT:0b01 _ BIT:b'0101' _ BIT:B'1'"},
    {"0b012", "W:0b012"},
    {"x'0F", "HEX:x'0F!"},
    {"'abc'", "S:'abc'"},
    {"'it''s'", "S:'it''s'"},
    {R"('a\'b')", R"(S:'a\'b')"},
    {R"('a\\' 'b')", R"(S:'a\\' _ S:'b')"},
    {R"("a""b" "c\"d")", R"(D:"a""b" _ D:"c\"d")"},
    {"N'x' n'y'", "S:N'x' _ S:n'y'"},
    {"'unterminated", "S:'unterminated!"},
    {R"('ends in backslash\)", R"(S:'ends in backslash\!)"},
    {"\"open", "D:\"open!"},
    {"`a``b` `c`", "Q:`a``b` _ Q:`c`"},
    {"`open", "Q:`open!"},
    {"t.5 t.col `t`.`c`", "W:t . W:5 _ W:t . W:col _ Q:`t` . Q:`c`"},
    {"db.t.1col", "W:db . W:t . W:1col"},
    {"NULL null \\N", "NULL:NULL _ NULL:null _ NULL:\\N"},
    {"TRUE false True", "BOOL:TRUE _ BOOL:false _ BOOL:True"},
    {"NULLS TRUEISH", "W:NULLS _ W:TRUEISH"},
    {"?", "P:?"},
    {"a=?", "W:a O:= P:?"},
    {"@x @x.y @'q r' @\"d\" @`b`", "UV:@x _ UV:@x.y _ UV:@'q r' _ UV:@\"d\" _ UV:@`b`"},
    {"@'open", "UV:@'open!"},
    {"@@x @@session.autocommit @@GLOBAL.y", "SV:@@x _ SV:@@session.autocommit _ SV:@@GLOBAL.y"},
    {"@@", "?:@@"},
    {"@ x", "O:@ _ W:x"},
    {"'u'@'h' `u`@`h`", "S:'u' O:@ S:'h' _ Q:`u` O:@ Q:`h`"},
    {"a<=>b", "W:a O:<=> W:b"},
    {"!= <> >= <= := || && -> ->> << >>",
     "O:!= _ O:<> _ O:>= _ O:<= _ O::= _ O:|| _ O:&& _ O:-> _ O:->> _ O:<< _ O:>>"},
    {"a+b-c*d/e%f", "W:a O:+ W:b O:- W:c O:* W:d O:/ W:e O:% W:f"},
    {"~a^b&c|d!e", "O:~ W:a O:^ W:b O:& W:c O:| W:d O:! W:e"},
    {"(a,b);", "( W:a , W:b ) ;"},
    {"{d '2001-01-01'}", "O:{ W:d _ S:'2001-01-01' O:}"},
    {"a:b", "W:a O:: W:b"},
    {"-- comment\nSELECT", "C:-- comment _ W:SELECT"},
    {"--\tx", "C:--\tx"},
    {"--", "C:--"},
    {"1--1", "I:1 O:- O:- I:1"},
    {"--x", "O:- O:- W:x"},
    {"# hash\n1", "C:# hash _ I:1"},
    {"1#", "I:1 C:#"},
    {"/* c */1", "C:/* c */ I:1"},
    {"/* /* */ 2", "C:/* /* */ _ I:2"},
    {"/*/ 3", "C:/*/ 3!"},
    {"/* open", "C:/* open!"},
    {"/*! STRAIGHT_JOIN */", "X:/*! STRAIGHT_JOIN */"},
    {"/*!50100 PARTITION */", "X:/*!50100 PARTITION */"},
    {"/*M!100100 x */", "X:/*M!100100 x */"},
    {"/*!open", "X:/*!open!"},
    {"/*+ BKA(t) */", "H:/*+ BKA(t) */"},
    {"/*+ open", "H:/*+ open!"},
    {"a/b", "W:a O:/ W:b"},
    {"\xC3\xA9t\xC3\xA9 'caf\xC3\xA9'", "W:\xC3\xA9t\xC3\xA9 _ S:'caf\xC3\xA9'"},
    {"\xE8\xA1\xA8=1", "W:\xE8\xA1\xA8 O:= I:1"},
    {"\xF0\x9F\x98\x80", "W:\xF0\x9F\x98\x80"},
    {"a\x01"
     "b",
     "W:a ?:\x01 W:b"},
    {"\\x", "?:\\ W:x"},
};

TEST_CASE("tokenizer table", "[sql][tokenizer]") {
  for (const LexCase& c : kLexCases) {
    INFO("input: " << c.input);
    CHECK(render(c.input) == c.tokens);
  }
}

TEST_CASE("tokenizer handles NUL bytes and input without a terminator", "[sql][tokenizer]") {
  const std::string withNul("a\0b", 3);
  CHECK(render(withNul) == std::string("W:a ?:") + '\0' + " W:b");
  // A view into a larger buffer: the lexer must stop at the view's end, inside the quote.
  const std::string buffer = "'abc' tail";
  CHECK(render(std::string_view(buffer).substr(0, 3)) == "S:'ab!");
  CHECK(render(std::string_view(buffer).substr(0, 4)) == "S:'abc!");
}

TEST_CASE("tokenizer returns End repeatedly", "[sql][tokenizer]") {
  Tokenizer t("x");
  CHECK(t.next().kind == TokenKind::Word);
  CHECK(t.next().kind == TokenKind::End);
  CHECK(t.next().kind == TokenKind::End);
  CHECK(t.position() == 1);
}

TEST_CASE("tokenizer options", "[sql][tokenizer]") {
  TokenizerOptions noEscapes;
  noEscapes.noBackslashEscapes = true;
  CHECK(render(R"('a\' 'b')", noEscapes) == R"(S:'a\' _ S:'b')");
  CHECK(render(R"("a\" x)", noEscapes) == R"(D:"a\" _ W:x)");
  // With escapes the same text is one string, then an unterminated bit literal.
  CHECK(render(R"('a\' 'b')") == R"(S:'a\' ' BIT:b'!)");
  TokenizerOptions ansi;
  ansi.ansiQuotes = true;
  CHECK(render(R"("col""x" 'v')", ansi) == R"(Q:"col""x" _ S:'v')");
}

TEST_CASE("executable comment body", "[sql][tokenizer]") {
  CHECK(executableCommentBody("/*! STRAIGHT_JOIN */") == " STRAIGHT_JOIN ");
  CHECK(executableCommentBody("/*!50100 PARTITION */") == " PARTITION ");
  CHECK(executableCommentBody("/*!800001 x*/") == " x");
  CHECK(executableCommentBody("/*M!100100 x */") == " x ");
  CHECK(executableCommentBody("/*!1234 x */") == "1234 x ");
  CHECK(executableCommentBody("/*!*/").empty());
  CHECK(executableCommentBody("/*!").empty());
  CHECK(executableCommentBody("/*!open") == "open");
  CHECK(executableCommentBody("/* plain */").empty());
}

TEST_CASE("keyword comparison", "[sql][tokenizer]") {
  CHECK(equalsKeyword("select", "SELECT"));
  CHECK(equalsKeyword("SeLeCt", "SELECT"));
  CHECK_FALSE(equalsKeyword("selec", "SELECT"));
  CHECK_FALSE(equalsKeyword("select_", "SELECT"));
  CHECK(isKeyword(Token{TokenKind::Word, false, "in"}, "IN"));
  CHECK_FALSE(isKeyword(Token{TokenKind::QuotedIdentifier, false, "`in`"}, "IN"));
}

}  // namespace
}  // namespace rwproxy::sql

// Query digest: the normalized text of a query and a stable 64-bit hash of it, as shown in
// stats_mysql_query_digest and matched by mysql_query_rules.digest / match_digest.
//
// Normalization rules (ProxySQL-compatible where ProxySQL has a rule, consistent where not):
//  - String, number, hex and bit literals become `?`. A run of unary signs directly before a
//    number also folds into the `?` when an operand is expected there (at statement start, after
//    an operator, `(`, `,`, or a keyword such as SELECT, WHERE, AND, THEN, LIMIT): `id = -5` and
//    `IN (-1,+2)` give `id = ?` and `IN (?,...)`, but `a - 5` gives `a - ?`.
//  - NULL, TRUE and FALSE are kept as written (ProxySQL's default,
//    mysql-query_digests_replace_null=false). With DigestOptions::replaceNull, NULL becomes `?`
//    except in `IS NULL` / `IS NOT NULL`. Placeholders `?` stay `?`.
//  - Keywords, identifiers, quoted identifiers, variables and operators are kept as written; no
//    case change.
//  - Comments (`-- `, `#`, `/* */`) and optimizer hints (`/*+ */`) are removed. Executable
//    comments (`/*! */`, `/*!50100 */`, `/*M! */`) are replaced by their body, normalized like
//    the rest, because the server runs that SQL: `SELECT /*!40001 SQL_NO_CACHE */ 1` gives
//    `SELECT SQL_NO_CACHE ?`.
//  - Whitespace and comments between tokens become one space; none at the start or end; none
//    after `(` or `,`, none before `)`, `,` or `;`. Trailing semicolons are dropped.
//  - In an `IN (...)` list and in the row list after VALUES / VALUE, a run of two or more
//    consecutive literal-only items keeps its first item and replaces the rest with `,...`:
//    `IN (1, 2, 3)` gives `IN (?,...)`, `VALUES (1,'a'),(2,'b')` gives `VALUES (?,?),...`,
//    `IN ((1,2),(3,4))` gives `IN ((?,?),...)`. A literal-only item holds only literals, `?`,
//    NULL, TRUE, FALSE, DEFAULT and parenthesized literal-only tuples (optionally `ROW(...)` in
//    VALUES). `IN (?)` stays `IN (?)`; `IN (SELECT ...)` and `IN (a, b)` are not collapsed.
//  - The digest text is cut at DigestOptions::maxLength bytes (never inside a UTF-8 sequence)
//    and `truncated` is set; the hash is of the cut text.
//
// Hash: FNV-1a 64 over the digest text's bytes, then the MurmurHash3 fmix64 finalizer for
// avalanche. It depends only on the bytes, so it is the same on every run and machine.
//
// No heap allocation (except growing a caller's std::string), no exceptions, one pass.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sql/tokenizer.h"

namespace rwproxy::sql {

// mysql-query_digests_max_query_length default.
inline constexpr size_t kDefaultDigestMaxLength = 65000;

struct DigestOptions {
  size_t maxLength = kDefaultDigestMaxLength;
  bool replaceNull = false;  // mysql-query_digests_replace_null
  TokenizerOptions tokenizer;
};

struct DigestResult {
  std::string_view text;   // the digest text; a view into the caller's buffer
  uint64_t hash = 0;       // digestHash(text)
  bool truncated = false;  // text was cut at maxLength or at the buffer's capacity
};

// A buffer of this size never truncates before maxLength: normalization grows a text only by
// `,...` markers, at most 2 bytes per 7 bytes of input.
constexpr size_t digestBufferSize(size_t queryLength, size_t maxLength) noexcept {
  const size_t bound = queryLength + queryLength / 2 + 16;
  return bound < maxLength ? bound : maxLength;
}

// Writes the digest text of `query` into out[0, outCapacity) and returns a view of it.
// The output is limited to min(options.maxLength, outCapacity) bytes.
DigestResult computeDigest(std::string_view query, char* out, size_t outCapacity,
                           const DigestOptions& options = {}) noexcept;

// Same, into `out`, whose capacity is reused: once it has grown, no further allocation.
// The returned text views `out` and is valid until `out` changes.
DigestResult computeDigest(std::string_view query, std::string& out,
                           const DigestOptions& options = {});

// MurmurHash3's 64-bit finalizer (fmix64): spreads every input bit over the output. Shared
// with other 64-bit keys of the proxy (e.g. the digest stats' composite keys).
constexpr uint64_t mix64(uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// FNV-1a 64 + fmix64 of `digestText` (see above).
uint64_t digestHash(std::string_view digestText) noexcept;

// "0x" followed by 16 upper-case hex digits, as ProxySQL shows digests.
struct DigestHashText {
  std::array<char, 18> chars{};
  std::string_view view() const noexcept { return {chars.data(), chars.size()}; }
};
DigestHashText formatDigestHash(uint64_t hash) noexcept;

// Parses "0x" + 1 to 16 hex digits (any case), as found in mysql_query_rules.digest.
std::optional<uint64_t> parseDigestHash(std::string_view text) noexcept;

}  // namespace rwproxy::sql

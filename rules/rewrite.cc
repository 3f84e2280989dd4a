#include "rules/rewrite.h"

#include <cstdint>
#include <cstring>

namespace rwproxy::rules {
namespace {

// Length of the valid UTF-8 sequence at p (RFC 3629, table 3-7 of Unicode), 0 if invalid.
size_t sequenceLength(const unsigned char* p, size_t n) noexcept {
  const unsigned char b = p[0];
  if (b < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;  // overlong
    if (b == 0xED) hi = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;  // overlong
    if (b == 0xF4) hi = 0x8F;  // > U+10FFFF
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return len;
}

bool allAscii(const unsigned char* p) noexcept {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080ull) == 0;
}

void appendRewrite(const RewriteTemplate& rewrite, std::string_view raw, const char* matchBase,
                   const re2::StringPiece* groups, std::string& out) {
  for (const auto& piece : rewrite.pieces) {
    if (piece.group < 0) {
      out.append(piece.literal);
      continue;
    }
    const re2::StringPiece& g = groups[piece.group];
    if (g.data() == nullptr) continue;  // optional group that did not take part
    out.append(raw.substr(static_cast<size_t>(g.data() - matchBase), g.size()));
  }
}

}  // namespace

bool isValidUtf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (i + 8 <= n && allAscii(p + i)) {
      i += 8;
      continue;
    }
    const size_t len = sequenceLength(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void sanitizeUtf8(std::string_view text, std::string& out) {
  out.assign(text);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const size_t len = sequenceLength(p + i, text.size() - i);
    if (len == 0) {
      out[i++] = kInvalidByteStandIn;
    } else {
      i += len;
    }
  }
}

// Mirrors RE2::Replace / RE2::GlobalReplace, written out so that no temporary string is built
// and the source bytes can differ from the matched ones. An empty match right where the
// previous match ended is not replaced (so "x*" on "ab" gives "-a-b-", as in RE2 and Perl).
int rewriteText(const RE2& re, const RewriteTemplate& rewrite, bool global, std::string_view raw,
                std::string_view matchable, std::string& out) {
  constexpr int kMaxGroups = 10;  // \0 .. \9
  re2::StringPiece groups[kMaxGroups];
  const re2::StringPiece text(matchable.data(), matchable.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(matchable.data());
  out.clear();
  size_t pos = 0;
  size_t lastEnd = SIZE_MAX;
  int count = 0;
  while (pos <= text.size()) {
    if (!re.Match(text, pos, text.size(), RE2::UNANCHORED, groups, rewrite.groupsNeeded)) break;
    const size_t start = static_cast<size_t>(groups[0].data() - text.data());
    const size_t end = start + groups[0].size();
    if (start == end && start == lastEnd) {
      if (pos == text.size()) break;
      const size_t len = sequenceLength(bytes + pos, text.size() - pos);  // sanitized: >= 1
      out.append(raw.substr(pos, len == 0 ? 1 : len));
      pos += len == 0 ? 1 : len;
      continue;
    }
    out.append(raw.substr(pos, start - pos));
    appendRewrite(rewrite, raw, text.data(), groups, out);
    pos = lastEnd = end;
    ++count;
    if (!global) break;
  }
  if (count > 0 && pos < raw.size()) out.append(raw.substr(pos));
  return count;
}

}  // namespace rwproxy::rules

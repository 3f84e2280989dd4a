// Internal to rules/: one RE2::Set over many rules' regexes, so a single pass over the query text
// says which of them match, whatever their number.
#pragma once

#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace rwproxy::rules {

class PatternSet {
 public:
  // The set's DFA holds the states of all its patterns at once; give it more room than a
  // single RE2's default 8 MiB so that sets of a few thousand rules still build. RE2 uses the
  // memory lazily.
  static constexpr int64_t kDefaultMaxMem = 64 << 20;

  // `maxMem`: RE2 memory budget of the set (RE2::Options::max_mem).
  explicit PatternSet(int64_t maxMem = kDefaultMaxMem) : maxMem_(maxMem) {}
  PatternSet(PatternSet&&) = default;
  PatternSet& operator=(PatternSet&&) = default;

  // Adds a pattern RE2 already accepted; returns its index in the set. `caseless` is applied
  // per pattern, so CASELESS and case-sensitive rules share one set.
  int add(std::string_view pattern, bool caseless);
  // Call once after the last add(). If RE2 cannot build the set (too large), match() answers
  // false and the caller checks each rule's own regex instead: slower, never wrong.
  void compile();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Sets bit i of `bits` (size() bits, cleared here) for every pattern i found in `text`.
  // REQUIRES: text is valid UTF-8. Returns false when the set could not answer (not built, or
  // RE2's DFA ran out of memory): then `bits` is meaningless.
  bool match(std::string_view text, std::vector<int>& hits, uint64_t* bits) const;

  static size_t wordsFor(size_t n) { return (n + 63) / 64; }
  static bool test(const uint64_t* bits, int i) { return (bits[i / 64] >> (i % 64)) & 1u; }

 private:
  std::unique_ptr<re2::RE2::Set> set_;
  int64_t maxMem_;
  size_t size_ = 0;
  bool usable_ = true;
};

}  // namespace rwproxy::rules

#include "rules/prefilter.h"

#include <algorithm>
#include <string>

namespace rwproxy::rules {
namespace {

re2::RE2::Options setOptions(int64_t maxMem) {
  re2::RE2::Options o;
  o.set_encoding(re2::RE2::Options::EncodingUTF8);
  o.set_case_sensitive(true);  // CASELESS patterns carry their own (?i)
  o.set_log_errors(false);
  o.set_max_mem(maxMem);
  return o;
}

}  // namespace

int PatternSet::add(std::string_view pattern, bool caseless) {
  if (!set_) set_ = std::make_unique<re2::RE2::Set>(setOptions(maxMem_), re2::RE2::UNANCHORED);
  // A leading (?i) sets the flag for the whole pattern, alternations included; wrapping in
  // (?i:...) instead would break a pattern ending inside \Q...
  std::string text = caseless ? "(?i)" : "";
  text.append(pattern);
  const int index = static_cast<int>(size_++);
  std::string error;
  // Indexes stay aligned with size_ even if RE2 refuses one: the set is then not used at all.
  if (usable_ && set_->Add(re2::StringPiece(text.data(), text.size()), &error) != index) {
    usable_ = false;
  }
  return index;
}

void PatternSet::compile() {
  if (size_ == 0 || !usable_ || !set_->Compile()) usable_ = false;
}

bool PatternSet::match(std::string_view text, std::vector<int>& hits, uint64_t* bits) const {
  if (!usable_) return false;
  std::fill(bits, bits + wordsFor(size_), uint64_t{0});
  re2::RE2::Set::ErrorInfo info{};
  hits.clear();
  const bool any = set_->Match(re2::StringPiece(text.data(), text.size()), &hits, &info);
  if (!any && info.kind != re2::RE2::Set::kNoError) return false;
  for (const int i : hits) bits[i / 64] |= uint64_t{1} << (i % 64);
  return true;
}

}  // namespace rwproxy::rules

#include "proxy/session/session_vars.h"

#include <algorithm>

#include "sql/tokenizer.h"

namespace rwproxy::session {

namespace {

bool isCharsetStatement(std::string_view name) {
  return name == "names" || name == "character set";
}

// The variables SET NAMES / SET CHARACTER SET assign.
bool isCharsetFamily(std::string_view name) {
  return isCharsetStatement(name) || name == "character_set_client" ||
         name == "character_set_connection" || name == "character_set_results" ||
         name == "collation_connection";
}

bool before(const sql::SessionAssignment& a, const sql::SessionAssignment& b) {
  bool aFirst = isCharsetStatement(a.name);
  bool bFirst = isCharsetStatement(b.name);
  return aFirst != bFirst ? aFirst : a.name < b.name;
}

const sql::SessionAssignment* find(const std::vector<sql::SessionAssignment>& vars,
                                   std::string_view name) {
  for (const auto& v : vars) {
    if (v.name == name) {
      return &v;
    }
  }
  return nullptr;
}

// Appends one assignment to the list that starts at out[listStart].
void appendAssignment(std::string& out, size_t listStart, std::string_view name,
                      std::string_view value) {
  if (out.size() > listStart) {
    out += ", ";
  }
  if (name == "names") {
    out.append("NAMES ");
  } else if (name == "character set") {
    out.append("CHARACTER SET ");
  } else {
    out.append(name).append(" = ");
  }
  out.append(value);
}

}  // namespace

void SessionVars::apply(std::span<const sql::SessionAssignment> assignments) {
  for (const auto& a : assignments) {
    if (isCharsetStatement(a.name)) {
      std::erase_if(vars_, [](const auto& v) { return isCharsetFamily(v.name); });
    } else {
      std::erase_if(vars_, [&](const auto& v) { return v.name == a.name; });
      if (a.name.front() != '@' && sql::equalsKeyword(a.value, "DEFAULT")) {
        continue;  // back to the value a fresh login has
      }
    }
    vars_.insert(std::upper_bound(vars_.begin(), vars_.end(), a, before), a);
  }
}

bool SessionVars::appendSyncFrom(const SessionVars& from, uint8_t collationId,
                                 std::string& out) const {
  const size_t listStart = out.size();
  auto family = [](const std::vector<sql::SessionAssignment>& vars) {
    std::vector<const sql::SessionAssignment*> f;
    for (const auto& v : vars) {
      if (isCharsetFamily(v.name)) {
        f.push_back(&v);
      }
    }
    return f;
  };
  auto mine = family(vars_);
  auto theirs = family(from.vars_);
  bool charsetDiffers = !std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end(),
                                    [](const auto* a, const auto* b) { return *a == *b; });
  if (charsetDiffers) {
    // Start from a known charset state: ours when we have a NAMES / CHARACTER SET, else the
    // login's (unless the connection still has it); then the single variables set after it.
    if (!theirs.empty() && (mine.empty() || !isCharsetStatement(mine.front()->name))) {
      std::string_view names = namesForCollation(collationId);
      if (names.empty()) {
        return false;
      }
      appendAssignment(out, listStart, "names", names);
    }
    for (const auto* v : mine) {
      appendAssignment(out, listStart, v->name, v->value);
    }
  }
  for (const auto& v : vars_) {
    if (isCharsetFamily(v.name)) {
      continue;
    }
    const auto* current = find(from.vars_, v.name);
    if (current == nullptr || current->value != v.value) {
      appendAssignment(out, listStart, v.name, v.value);
    }
  }
  for (const auto& v : from.vars_) {
    if (!isCharsetFamily(v.name) && find(vars_, v.name) == nullptr) {
      appendAssignment(out, listStart, v.name, v.name.front() == '@' ? "NULL" : "DEFAULT");
    }
  }
  return true;
}

uint64_t SessionVars::fingerprint() const {
  uint64_t h = 0;
  std::hash<std::string_view> hash;
  for (const auto& v : vars_) {
    // Order matters (it is fixed by apply()); the separator keeps "a"+"bc" from "ab"+"c".
    h = h * 0x100000001B3ULL ^ hash(v.name);
    h = h * 0x100000001B3ULL ^ (hash(v.value) + 0x9E3779B97F4A7C15ULL);
  }
  return h;
}

std::string_view namesForCollation(uint8_t collationId) {
  // The login collations clients commonly send (ids as in SHOW COLLATION).
  switch (collationId) {
    case 8:
      return "latin1 COLLATE latin1_swedish_ci";
    case 11:
      return "ascii COLLATE ascii_general_ci";
    case 33:
      return "utf8 COLLATE utf8_general_ci";
    case 45:
      return "utf8mb4 COLLATE utf8mb4_general_ci";
    case 46:
      return "utf8mb4 COLLATE utf8mb4_bin";
    case 47:
      return "latin1 COLLATE latin1_bin";
    case 48:
      return "latin1 COLLATE latin1_general_ci";
    case 63:
      return "binary";
    case 83:
      return "utf8 COLLATE utf8_bin";
    case 192:
      return "utf8 COLLATE utf8_unicode_ci";
    case 224:
      return "utf8mb4 COLLATE utf8mb4_unicode_ci";
    default:
      return {};
  }
}

}  // namespace rwproxy::session

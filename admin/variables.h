#pragma once

// The registry of global variables (mysql-* and admin-*): ProxySQL's names, our defaults, and
// how each value is parsed and validated. global_variables holds values as text; this turns
// text into a validated canonical text and applies it to the runtime structs.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "admin/admin_runtime.h"
#include "admin/status.h"
#include "proxy/config/runtime.h"

namespace rwproxy::admin {

enum class VarType { Bool, Int, String, Enum, Interfaces, Credentials };

struct ParsedValue {
  bool b = false;
  int64_t i = 0;
  std::string s;  // canonical text
};

struct VariableDef {
  std::string_view name;  // full name with prefix, e.g. "mysql-threads"
  VarType type;
  std::string_view defaultValue;
  int64_t min = 0;  // Int only
  int64_t max = 0;
  std::string_view choices;  // Enum only: comma-separated, lower case
  bool readOnly = false;     // forced at start-up; SET refuses it
  void (*applyMysql)(config::MysqlVariables&, const ParsedValue&) = nullptr;
  void (*applyAdmin)(AdminRuntime&, const ParsedValue&) = nullptr;
};

std::span<const VariableDef> variableDefs();

// The definition of a variable by full name (case-insensitive); nullptr when unknown.
const VariableDef* findVariable(std::string_view name);

// The value a fresh store holds (mysql-threads: the CPU count; admin-version: kVersion).
std::string defaultValue(const VariableDef& def);

// Parses and validates a value; the Failure names the variable and says what is allowed.
Result<ParsedValue> parseValue(const VariableDef& def, std::string_view text);

// Splits "user:pass;user2:pass2" (already validated).
std::vector<AdminCredential> parseCredentials(std::string_view text);

}  // namespace rwproxy::admin

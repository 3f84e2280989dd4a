#include "admin/variables.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <thread>
#include <vector>

#include "admin/statement.h"
#include "rwproxy/version.h"

namespace rwproxy::admin {

namespace {

using MysqlSetter = void (*)(config::MysqlVariables&, const ParsedValue&);
using AdminSetter = void (*)(AdminRuntime&, const ParsedValue&);

VariableDef intVar(std::string_view name, std::string_view def, int64_t min, int64_t max,
                   MysqlSetter set) {
  return VariableDef{name, VarType::Int, def, min, max, {}, false, set, nullptr};
}
VariableDef boolVar(std::string_view name, std::string_view def, MysqlSetter set) {
  return VariableDef{name, VarType::Bool, def, 0, 0, {}, false, set, nullptr};
}
VariableDef strVar(std::string_view name, std::string_view def, MysqlSetter set) {
  return VariableDef{name, VarType::String, def, 0, 0, {}, false, set, nullptr};
}
VariableDef adminVar(std::string_view name, VarType type, std::string_view def, AdminSetter set,
                     int64_t min = 0, int64_t max = 0) {
  return VariableDef{name, type, def, min, max, {}, false, nullptr, set};
}

// Collation ids advertised for mysql-default_charset (each charset's default collation).
int collationFor(std::string_view charset) {
  if (charset == "utf8" || charset == "utf8mb3") return 33;
  if (charset == "latin1") return 8;
  if (charset == "binary") return 63;
  if (charset == "ascii") return 11;
  return 45;  // utf8mb4_general_ci
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(',', start), text.size());
    std::string item(text.substr(start, end - start));
    std::erase(item, ' ');
    std::transform(item.begin(), item.end(), item.begin(), ::tolower);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

constexpr int64_t kWeekMs = 7LL * 24 * 3600 * 1000;

std::vector<VariableDef> buildDefs() {
  using M = config::MysqlVariables;
  using P = ParsedValue;
  std::vector<VariableDef> d = {
      VariableDef{"mysql-interfaces",
                  VarType::Interfaces,
                  "0.0.0.0:6033",
                  0,
                  0,
                  {},
                  false,
                  [](M& m, const P& v) { m.interfaces = v.s; },
                  nullptr},
      // 0 means one thread per CPU; parseValue turns it into the effective count.
      intVar("mysql-threads", "0", 0, 256, [](M& m, const P& v) { m.threads = int(v.i); }),
      intVar("mysql-max_connections", "10000", 1, 1000000,
             [](M& m, const P& v) { m.maxConnections = int(v.i); }),
      strVar("mysql-server_version", "8.0.11", [](M& m, const P& v) { m.serverVersion = v.s; }),
      VariableDef{"mysql-default_charset", VarType::Enum, "utf8mb4", 0, 0,
                  "utf8mb4,utf8,utf8mb3,latin1,binary,ascii", false,
                  [](M& m, const P& v) { m.defaultCharset = collationFor(v.s); }, nullptr},
      intVar("mysql-connect_timeout_server", "3000", 10, 3600000,
             [](M& m, const P& v) { m.connectTimeoutServerMs = v.i; }),
      intVar("mysql-connect_timeout_server_max", "10000", 10, 3600000,
             [](M& m, const P& v) { m.connectTimeoutServerMaxMs = v.i; }),
      // ProxySQL's default: 10 hours. A query running longer is killed on its server.
      intVar("mysql-default_query_timeout", "36000000", 1000, 20 * 24 * 3600 * 1000LL,
             [](M& m, const P& v) { m.defaultQueryTimeoutMs = v.i; }),
      intVar("mysql-connect_retries_on_failure", "10", 0, 1000,
             [](M& m, const P& v) { m.connectRetriesOnFailure = int(v.i); }),
      intVar("mysql-connect_timeout_client", "10000", 500, 3600000,
             [](M& m, const P& v) { m.connectTimeoutClientMs = v.i; }),
      intVar("mysql-wait_timeout", "28800000", 0, 20 * 365 * 24 * 3600 * 1000LL,
             [](M& m, const P& v) { m.waitTimeoutMs = v.i; }),
      intVar("mysql-max_allowed_packet", "67108864", 8192, 1073741824,
             [](M& m, const P& v) { m.maxAllowedPacket = v.i; }),
      strVar("mysql-monitor_username", "monitor",
             [](M& m, const P& v) { m.monitorUsername = v.s; }),
      strVar("mysql-monitor_password", "monitor",
             [](M& m, const P& v) { m.monitorPassword = v.s; }),
      boolVar("mysql-monitor_enabled", "true", [](M& m, const P& v) { m.monitorEnabled = v.b; }),
      intVar("mysql-monitor_connect_interval", "120000", 100, kWeekMs,
             [](M& m, const P& v) { m.monitorConnectIntervalMs = v.i; }),
      intVar("mysql-monitor_ping_interval", "8000", 100, kWeekMs,
             [](M& m, const P& v) { m.monitorPingIntervalMs = v.i; }),
      intVar("mysql-monitor_read_only_interval", "1000", 100, kWeekMs,
             [](M& m, const P& v) { m.monitorReadOnlyIntervalMs = v.i; }),
      intVar("mysql-monitor_replication_lag_interval", "10000", 100, kWeekMs,
             [](M& m, const P& v) { m.monitorReplicationLagIntervalMs = v.i; }),
      boolVar("mysql-multiplexing", "true", [](M& m, const P& v) { m.multiplexing = v.b; }),
      intVar("mysql-free_connections_pct", "10", 0, 100,
             [](M& m, const P& v) { m.freeConnectionsPct = int(v.i); }),
      intVar("mysql-connection_max_age_ms", "0", 0, kWeekMs,
             [](M& m, const P& v) { m.connectionMaxAgeMs = v.i; }),
      intVar("mysql-ping_interval_server_msec", "10000", 0, kWeekMs,
             [](M& m, const P& v) { m.pingIntervalServerMsec = v.i; }),
      intVar("mysql-shun_on_failures", "5", 0, 10000000,
             [](M& m, const P& v) { m.shunOnFailures = int(v.i); }),
      intVar("mysql-shun_recovery_time_sec", "10", 0, 31536000,
             [](M& m, const P& v) { m.shunRecoveryTimeSec = int(v.i); }),
      intVar("mysql-query_retries_on_failure", "1", 0, 1000,
             [](M& m, const P& v) { m.queryRetriesOnFailure = int(v.i); }),
      intVar("mysql-max_stmts_per_connection", "20", 1, 1024,
             [](M& m, const P& v) { m.maxStmtsPerConnection = int(v.i); }),
      intVar("mysql-auto_increment_delay_multiplex", "5", 0, 1000000,
             [](M& m, const P& v) { m.autoIncrementDelayMultiplex = int(v.i); }),
      intVar("mysql-query_digests_max_query_length", "65000", 16, 16 * 1048576,
             [](M& m, const P& v) { m.queryDigestsMaxQueryLength = v.i; }),
      intVar("mysql-query_digests_max_entries", "100000", 0, 100000000,
             [](M& m, const P& v) { m.queryDigestsMaxEntries = v.i; }),
      intVar("mysql-query_cache_size_MB", "256", 0, 1048576,
             [](M& m, const P& v) { m.queryCacheSizeMb = v.i; }),
      boolVar("mysql-query_cache_stores_empty_result", "true",
              [](M& m, const P& v) { m.queryCacheStoresEmptyResult = v.b; }),
      strVar("mysql-eventslog_filename", "", [](M& m, const P& v) { m.eventslogFilename = v.s; }),
      intVar("mysql-eventslog_filesize", "104857600", 1048576, 1LL << 40,
             [](M& m, const P& v) { m.eventslogFilesize = v.i; }),
      intVar("mysql-shutdown_timeout_ms", "10000", 0, 3600000,
             [](M& m, const P& v) { m.shutdownTimeoutMs = v.i; }),
      strVar("mysql-keep_multiplexing_variables", "tx_isolation,version",
             [](M& m, const P& v) { m.keepMultiplexingVariables = splitList(v.s); }),
      adminVar("admin-admin_credentials", VarType::Credentials, "admin:admin",
               [](AdminRuntime& a, const P& v) { a.adminCredentials = parseCredentials(v.s); }),
      adminVar("admin-stats_credentials", VarType::Credentials, "stats:stats",
               [](AdminRuntime& a, const P& v) { a.statsCredentials = parseCredentials(v.s); }),
      adminVar("admin-mysql_ifaces", VarType::Interfaces, "127.0.0.1:6032",
               [](AdminRuntime& a, const P& v) { a.mysqlIfaces = v.s; }),
      adminVar("admin-version", VarType::String, "",
               [](AdminRuntime& a, const P& v) { a.version = v.s; }),
      adminVar("admin-read_only", VarType::Bool, "false",
               [](AdminRuntime& a, const P& v) { a.readOnly = v.b; }),
      adminVar(
          "admin-refresh_interval", VarType::Int, "2000",
          [](AdminRuntime& a, const P& v) { a.refreshIntervalMs = int(v.i); }, 100, 100000),
  };
  for (auto& def : d) {
    def.readOnly = def.name == "admin-version";
  }
  return d;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Failure invalid(const VariableDef& def, std::string_view text, std::string_view allowed) {
  return makeFailure(
      fmt::format("invalid value '{}' for variable {}: expected {}", text, def.name, allowed),
      kErWrongValueForVar, "42000");
}

Result<ParsedValue> parseInt(const VariableDef& def, std::string_view text) {
  ParsedValue v;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v.i);
  if (ec != std::errc() || end != text.data() + text.size() || v.i < def.min || v.i > def.max) {
    return invalid(def, text, fmt::format("an integer from {} to {}", def.min, def.max));
  }
  if (def.name == "mysql-threads" && v.i == 0) {
    v.i = std::max(1u, std::thread::hardware_concurrency());
  }
  v.s = std::to_string(v.i);
  return v;
}

// "host:port" entries separated by ';' (a unix socket path is allowed too).
bool validInterfaces(std::string_view text) {
  if (text.empty()) return false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(';', start), text.size());
    std::string_view item = text.substr(start, end - start);
    if (!item.starts_with('/')) {
      size_t colon = item.rfind(':');
      int port = -1;
      if (colon == std::string_view::npos || colon == 0) return false;
      auto [p, ec] = std::from_chars(item.data() + colon + 1, item.data() + item.size(), port);
      if (ec != std::errc() || p != item.data() + item.size() || port < 0 || port > 65535) {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

bool validCredentials(std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(';', start), text.size());
    std::string_view item = text.substr(start, end - start);
    if (item.find(':') == std::string_view::npos || item.find(':') == 0) return false;
    start = end + 1;
  }
  return !text.empty();
}

}  // namespace

std::span<const VariableDef> variableDefs() {
  static const std::vector<VariableDef> defs = buildDefs();
  return defs;
}

const VariableDef* findVariable(std::string_view name) {
  for (const auto& def : variableDefs()) {
    if (iequals(def.name, name)) return &def;
  }
  return nullptr;
}

std::string defaultValue(const VariableDef& def) {
  if (def.name == "admin-version") return kVersion;
  if (def.name == "mysql-threads") return parseValue(def, "0").value().s;
  return std::string(def.defaultValue);
}

Result<ParsedValue> parseValue(const VariableDef& def, std::string_view raw) {
  std::string_view text = trim(raw);
  ParsedValue v;
  switch (def.type) {
    case VarType::Bool:
      if (iequals(text, "true") || text == "1") {
        v.b = true;
      } else if (!iequals(text, "false") && text != "0") {
        return invalid(def, text, "true or false");
      }
      v.s = v.b ? "true" : "false";
      return v;
    case VarType::Int:
      return parseInt(def, text);
    case VarType::String:
      v.s = std::string(raw);  // strings keep their spaces
      return v;
    case VarType::Enum:
      v.s = std::string(text);
      std::transform(v.s.begin(), v.s.end(), v.s.begin(), ::tolower);
      for (const auto& choice : splitList(def.choices)) {
        if (choice == v.s) return v;
      }
      return invalid(def, text, fmt::format("one of {}", def.choices));
    case VarType::Interfaces:
      if (!validInterfaces(text)) return invalid(def, text, "host:port[;host:port...]");
      v.s = std::string(text);
      return v;
    case VarType::Credentials:
      if (!validCredentials(text)) return invalid(def, text, "user:password[;user:password...]");
      v.s = std::string(text);
      return v;
  }
  return invalid(def, text, "a valid value");
}

std::vector<AdminCredential> parseCredentials(std::string_view text) {
  std::vector<AdminCredential> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(';', start), text.size());
    std::string_view item = text.substr(start, end - start);
    size_t colon = item.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      out.push_back({std::string(item.substr(0, colon)), std::string(item.substr(colon + 1))});
    }
    start = end + 1;
  }
  return out;
}

}  // namespace rwproxy::admin

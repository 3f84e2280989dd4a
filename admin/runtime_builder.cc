#include "admin/runtime_builder.h"

#include <fmt/format.h>

#include <cctype>
#include <climits>
#include <set>

#include "admin/row_reader.h"
#include "admin/statement.h"
#include "admin/variables.h"

namespace rwproxy::admin {

namespace {

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kUintMax = UINT32_MAX;

std::optional<int> toInt(std::optional<int64_t> v) {
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<config::ServerStatus> parseStatus(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "ONLINE") return config::ServerStatus::Online;
  if (upper == "SHUNNED") return config::ServerStatus::Shunned;
  if (upper == "OFFLINE_SOFT") return config::ServerStatus::OfflineSoft;
  if (upper == "OFFLINE_HARD") return config::ServerStatus::OfflineHard;
  return std::nullopt;
}

config::Server readServer(RowReader& r) {
  config::Server s;
  s.hostgroupId = static_cast<int>(r.integer("hostgroup_id", 0, kIntMax));
  s.hostname = r.text("hostname");
  if (s.hostname.empty()) r.fail("hostname", "must not be empty");
  s.port = static_cast<int>(r.integer("port", 0, 65535));
  s.gtidPort = static_cast<int>(r.integer("gtid_port", 0, 65535));
  std::string status = r.text("status");
  if (auto st = parseStatus(status)) {
    s.status = *st;
  } else {
    r.fail("status",
           fmt::format("'{}' is not ONLINE, SHUNNED, OFFLINE_SOFT or OFFLINE_HARD", status));
  }
  s.weight = static_cast<int>(r.integer("weight", 0, 10000000));
  s.compression = static_cast<int>(r.integer("compression", 0, 1));
  s.maxConnections = static_cast<int>(r.integer("max_connections", 0, kIntMax));
  s.maxReplicationLag = static_cast<int>(r.integer("max_replication_lag", 0, 126144000));
  s.useSsl = r.flag("use_ssl");
  s.maxLatencyMs = static_cast<int>(r.integer("max_latency_ms", 0, kIntMax));
  s.comment = r.text("comment");
  return s;
}

// Plaintext, or the mysql_native_password hash: '*' followed by 40 hex digits.
bool validPassword(std::string_view p) {
  if (!p.starts_with('*')) return true;
  if (p.size() != 41) return false;
  for (char c : p.substr(1)) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

config::User readUser(RowReader& r) {
  config::User u;
  u.username = r.text("username");
  if (u.username.empty()) r.fail("username", "must not be empty");
  u.password = r.text("password");
  if (!validPassword(u.password)) {
    r.fail("password", "a value starting with '*' must be '*' followed by 40 hex digits");
  }
  u.active = r.flag("active");
  u.useSsl = r.flag("use_ssl");
  u.defaultHostgroup = static_cast<int>(r.integer("default_hostgroup", INT_MIN, kIntMax));
  u.defaultSchema = r.text("default_schema");
  u.schemaLocked = r.flag("schema_locked");
  u.transactionPersistent = r.flag("transaction_persistent");
  u.fastForward = r.flag("fast_forward");
  u.backend = r.flag("backend");
  u.frontend = r.flag("frontend");
  u.maxConnections = static_cast<int>(r.integer("max_connections", 0, kIntMax));
  u.attributes = r.text("attributes");
  u.comment = r.text("comment");
  return u;
}

bool validReModifiers(std::string_view text) {
  std::string s = toLower(text);
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = std::min(s.find(',', start), s.size());
    std::string item = s.substr(start, end - start);
    std::erase(item, ' ');
    if (!item.empty() && item != "caseless" && item != "global") return false;
    start = end + 1;
  }
  return true;
}

void readRuleMatch(RowReader& r, config::QueryRuleRow& q) {
  q.ruleId = static_cast<int>(r.integer("rule_id", 0, kIntMax));
  q.active = r.flag("active");
  q.username = r.optText("username");
  q.schemaname = r.optText("schemaname");
  q.flagIn = static_cast<int>(r.integer("flagIN", 0, kIntMax));
  q.clientAddr = r.optText("client_addr");
  q.proxyAddr = r.optText("proxy_addr");
  q.proxyPort = toInt(r.optInteger("proxy_port", 0, 65535));
  q.digest = r.optText("digest");
  q.matchDigest = r.optText("match_digest");
  q.matchPattern = r.optText("match_pattern");
  q.negateMatchPattern = r.flag("negate_match_pattern");
  q.reModifiers = r.text("re_modifiers");
  if (!validReModifiers(q.reModifiers)) {
    r.fail("re_modifiers", fmt::format("'{}': allowed are CASELESS and GLOBAL", q.reModifiers));
  }
}

void readRuleActions(RowReader& r, config::QueryRuleRow& q) {
  q.flagOut = toInt(r.optInteger("flagOUT", 0, kIntMax));
  q.replacePattern = r.optText("replace_pattern");
  if (q.replacePattern && !q.matchPattern) r.fail("replace_pattern", "needs match_pattern");
  q.destinationHostgroup = toInt(r.optInteger("destination_hostgroup", 0, kIntMax));
  q.cacheTtl = toInt(r.optInteger("cache_ttl", 1, kIntMax));
  q.cacheEmptyResult = toInt(r.optInteger("cache_empty_result", 0, 1));
  q.cacheTimeout = toInt(r.optInteger("cache_timeout", 0, kIntMax));
  q.reconnect = toInt(r.optInteger("reconnect", 0, 1));
  q.timeout = r.optInteger("timeout", 0, kUintMax);
  q.retries = toInt(r.optInteger("retries", 0, 1000));
  q.delay = r.optInteger("delay", 0, kUintMax);
  q.nextQueryFlagIn = r.optInteger("next_query_flagIN", 0, kUintMax);
  q.mirrorFlagOut = r.optInteger("mirror_flagOUT", 0, kUintMax);
  q.mirrorHostgroup = r.optInteger("mirror_hostgroup", 0, kUintMax);
  q.errorMsg = r.optText("error_msg");
  q.okMsg = r.optText("OK_msg");
  q.stickyConn = toInt(r.optInteger("sticky_conn", 0, 1));
  q.multiplex = toInt(r.optInteger("multiplex", 0, 2));
  q.gtidFromHostgroup = r.optInteger("gtid_from_hostgroup", 0, kUintMax);
  q.log = toInt(r.optInteger("log", 0, 1));
  q.apply = r.flag("apply");
  q.attributes = r.text("attributes");
  q.comment = r.optText("comment");
}

config::ReplicationHostgroup readReplicationHostgroup(RowReader& r) {
  config::ReplicationHostgroup h;
  h.writerHostgroup = static_cast<int>(r.integer("writer_hostgroup", 0, kIntMax));
  h.readerHostgroup = static_cast<int>(r.integer("reader_hostgroup", 0, kIntMax));
  if (r.ok() && h.readerHostgroup == h.writerHostgroup) {
    r.fail("reader_hostgroup", "must differ from writer_hostgroup");
  }
  h.checkType = toLower(r.text("check_type"));
  static const std::set<std::string> kCheckTypes = {"read_only", "innodb_read_only",
                                                    "super_read_only", "read_only|innodb_read_only",
                                                    "read_only&innodb_read_only"};
  if (!kCheckTypes.contains(h.checkType)) r.fail("check_type", "unknown check type");
  h.comment = r.text("comment");
  return h;
}

// Reads every row of main.<table>, turning each into a T with `read`.
template <typename T, typename Fn>
Result<std::vector<T>> readTable(Db& db, std::string_view table, std::string_view orderBy,
                                 std::vector<std::string_view> key, Fn read) {
  auto rs = db.query(fmt::format("SELECT * FROM main.{} ORDER BY {}", table, orderBy));
  if (!rs) return rs.failure();
  std::vector<T> out;
  for (const Row& row : rs->rows) {
    RowReader r(table, *rs, row, key);
    T value = read(r);
    if (!r.ok()) return r.failure();
    out.push_back(std::move(value));
  }
  return out;
}

// Applies the memory layer's variables of one prefix, starting from the defaults.
Status readVariables(Db& db, std::string_view prefix, RuntimeDraft& draft) {
  auto rs = db.query(
      "SELECT variable_name, variable_value FROM main.global_variables "
      "WHERE variable_name LIKE ?1 || '%' ORDER BY variable_name",
      {std::string(prefix)});
  if (!rs) return rs.failure();
  config::MysqlVariables mysql;
  AdminRuntime admin;
  VariableValues values;
  for (const auto& def : variableDefs()) {
    if (!def.name.starts_with(prefix)) continue;
    auto v = parseValue(def, defaultValue(def)).value();
    values[std::string(def.name)] = v.s;
    if (def.applyMysql != nullptr) def.applyMysql(mysql, v);
    if (def.applyAdmin != nullptr) def.applyAdmin(admin, v);
  }
  for (const Row& row : rs->rows) {
    RowReader r("global_variables", *rs, row, {"variable_name"});
    const VariableDef* def = findVariable(r.text("variable_name"));
    if (def == nullptr) {
      r.fail("variable_name", "unknown variable");
      return r.failure();
    }
    if (def->readOnly) continue;  // e.g. admin-version: always this binary's
    auto v = parseValue(*def, r.text("variable_value"));
    if (!v) r.fail("variable_value", v.failure().message);
    if (!r.ok()) return r.failure();
    values[std::string(def->name)] = v->s;
    if (def->applyMysql != nullptr) def->applyMysql(mysql, *v);
    if (def->applyAdmin != nullptr) def->applyAdmin(admin, *v);
  }
  std::erase_if(draft.variables, [&](const auto& kv) { return kv.first.starts_with(prefix); });
  draft.variables.merge(values);
  if (prefix == "mysql-") draft.runtime.mysql = mysql;
  if (prefix == "admin-") draft.admin = admin;
  return Status::ok();
}

Status checkDuplicateFrontends(const std::vector<config::User>& users) {
  std::set<std::string> seen;
  for (const auto& u : users) {
    if (u.frontend && !seen.insert(u.username).second) {
      return makeFailure(fmt::format(
          "mysql_users row (username='{}'): column frontend: duplicate frontend user", u.username));
    }
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<config::Server>> readServers(Db& db) {
  return readTable<config::Server>(db, "mysql_servers", "hostgroup_id, hostname, port",
                                   {"hostgroup_id", "hostname", "port"}, readServer);
}

Result<std::vector<config::ReplicationHostgroup>> readReplicationHostgroups(Db& db) {
  return readTable<config::ReplicationHostgroup>(db, "mysql_replication_hostgroups",
                                                 "writer_hostgroup", {"writer_hostgroup"},
                                                 readReplicationHostgroup);
}

Result<std::vector<config::User>> readUsers(Db& db) {
  auto users = readTable<config::User>(db, "mysql_users", "username, backend",
                                       {"username", "backend"}, readUser);
  if (users) {
    if (Status s = checkDuplicateFrontends(*users); !s.isOk()) return s.failure();
  }
  return users;
}

Result<std::vector<config::QueryRuleRow>> readQueryRules(Db& db) {
  return readTable<config::QueryRuleRow>(db, "mysql_query_rules", "rule_id", {"rule_id"},
                                         [](RowReader& r) {
                                           config::QueryRuleRow q;
                                           readRuleMatch(r, q);
                                           readRuleActions(r, q);
                                           return q;
                                         });
}

Status buildModule(Db& db, Module module, RuntimeDraft& draft) {
  switch (module) {
    case Module::MysqlServers: {
      auto servers = readServers(db);
      if (!servers) return servers.failure();
      auto groups = readReplicationHostgroups(db);
      if (!groups) return groups.failure();
      draft.runtime.servers = std::move(servers).value();
      draft.runtime.replicationHostgroups = std::move(groups).value();
      return Status::ok();
    }
    case Module::MysqlUsers: {
      auto users = readUsers(db);
      if (!users) return users.failure();
      draft.runtime.users = std::move(users).value();
      return Status::ok();
    }
    case Module::MysqlQueryRules: {
      auto rules = readQueryRules(db);
      if (!rules) return rules.failure();
      draft.runtime.queryRules = std::move(rules).value();
      return Status::ok();
    }
    case Module::MysqlVariables:
      return readVariables(db, "mysql-", draft);
    case Module::AdminVariables:
      return readVariables(db, "admin-", draft);
  }
  return Status::ok();
}

}  // namespace rwproxy::admin

// rwproxy: wires the config store, the admin endpoint and the data plane together. The only
// file that sees every library.
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <pthread.h>

#include "admin/admin_executor.h"
#include "admin/admin_server.h"
#include "admin/config_store.h"
#include "admin/stats_sink.h"
#include "proxy/config/cli_options.h"
#include "proxy/net/listener.h"
#include "proxy/worker/data_plane.h"
#include "proxy/worker/stats_views.h"
#include "rules/rule_set.h"
#include "rwproxy/version.h"
#include "sql/digest.h"

namespace {

using rwproxy::admin::AdminReply;
using rwproxy::admin::Failure;

// Exit codes: 0 clean stop, 1 bad usage, 2 configuration or start-up error.
constexpr int kExitUsage = 1;
constexpr int kExitStartup = 2;

template <typename... Args>
void logLine(fmt::format_string<Args...> format, Args&&... args) {
  std::fputs(("rwproxy: " + fmt::format(format, std::forward<Args>(args)...) + "\n").c_str(),
             stderr);
}

// Runs admin statements (CLI overrides) and reports the first failure.
bool runAdmin(rwproxy::admin::AdminExecutor& executor, const std::vector<std::string>& sqls) {
  for (const auto& sql : sqls) {
    AdminReply reply = executor.execute(sql);
    if (const auto* f = std::get_if<Failure>(&reply)) {
      logLine("{}: {}", sql, f->message);
      return false;
    }
  }
  return true;
}

// The snapshot the data plane gets: the admin's, plus its query rules compiled once here, so
// workers never compile anything.
rwproxy::config::RuntimePtr withCompiledRules(rwproxy::config::RuntimePtr runtime) {
  auto copy = std::make_shared<rwproxy::config::Runtime>(*runtime);
  auto compiled = rwproxy::rules::RuleSet::compile(copy->queryRules);
  // validateRules accepted these rows already; a failure here would be a bug, and the rules
  // would then simply not apply.
  copy->queryRuleSet = compiled.ok() ? compiled.value() : nullptr;
  if (copy->queryRuleSet && copy->queryRuleSet->ruleCount() == 0) {
    copy->queryRuleSet = nullptr;
  }
  return copy;
}

// Materialises the stats tables an admin statement is about to read.
// stats_mysql_query_digest rows (ProxySQL's columns) and the latency companion table.
void fillDigestStats(rwproxy::worker::DataPlane& dataPlane, rwproxy::admin::StatsSink& sink) {
  bool reset = sink.wants("stats_mysql_query_digest_reset");
  auto merged = dataPlane.digestRows(reset);
  std::vector<rwproxy::admin::Row> rows;
  std::vector<rwproxy::admin::Row> latency;
  for (const auto& r : merged) {
    std::string digest(rwproxy::sql::formatDigestHash(r.digest).view());
    std::string hostgroup = std::to_string(r.hostgroup);
    rows.push_back({hostgroup, r.schemaname, r.username, r.clientAddress, digest, r.digestText,
                    std::to_string(r.countStar), std::to_string(r.firstSeen),
                    std::to_string(r.lastSeen), std::to_string(r.sumTime),
                    std::to_string(r.minTime), std::to_string(r.maxTime),
                    std::to_string(r.sumRowsAffected), std::to_string(r.sumRowsSent)});
    latency.push_back({hostgroup, r.schemaname, r.username, r.clientAddress, digest,
                       std::to_string(r.countStar), std::to_string(r.p50Us),
                       std::to_string(r.p95Us), std::to_string(r.p99Us)});
  }
  // Reading the _reset table empties the counters; both tables then show what was read.
  for (const char* table : {"stats_mysql_query_digest", "stats_mysql_query_digest_reset"}) {
    if (sink.wants(table) || reset) {
      (void)sink.replaceRows(table, rows);
    }
  }
  (void)sink.replaceRows("stats_mysql_query_digest_latency", latency);
}

void fillStats(rwproxy::worker::DataPlane& dataPlane, rwproxy::admin::StatsSink& sink) {
  if (sink.wants("stats_mysql_query_digest") || sink.wants("stats_mysql_query_digest_reset") ||
      sink.wants("stats_mysql_query_digest_latency")) {
    fillDigestStats(dataPlane, sink);
  }
  if (sink.wants("stats_mysql_global")) {
    std::vector<rwproxy::admin::Row> rows;
    for (auto& [name, value] : dataPlane.globalStatus()) {
      rows.push_back({name, value});
    }
    (void)sink.replaceRows("stats_mysql_global", rows);
  }
  bool poolReset = sink.wants("stats_mysql_connection_pool_reset");
  if (poolReset || sink.wants("stats_mysql_connection_pool")) {
    auto rows = rwproxy::worker::connectionPoolRows(dataPlane, poolReset);
    // Like the digest tables: after a reset read, both tables show what was read.
    for (const char* table : {"stats_mysql_connection_pool", "stats_mysql_connection_pool_reset"}) {
      if (sink.wants(table) || poolReset) {
        (void)sink.replaceRows(table, rows);
      }
    }
  }
  if (sink.wants("stats_mysql_processlist")) {
    (void)sink.replaceRows("stats_mysql_processlist", rwproxy::worker::processlistRows(dataPlane));
  }
  if (sink.wants("stats_mysql_commands_counters")) {
    (void)sink.replaceRows("stats_mysql_commands_counters",
                           rwproxy::worker::commandCounterRows(dataPlane));
  }
  if (sink.wants("stats_mysql_users")) {
    (void)sink.replaceRows("stats_mysql_users", rwproxy::worker::userRows(dataPlane));
  }
  if (sink.wants("stats_mysql_query_rules")) {
    std::vector<rwproxy::admin::Row> rows;
    for (const auto& [id, hits] : dataPlane.ruleHits()) {
      rows.push_back({std::to_string(id), std::to_string(hits)});
    }
    (void)sink.replaceRows("stats_mysql_query_rules", rows);
  }
}

std::string firstInterface(const std::string& list) { return list.substr(0, list.find(';')); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  auto options = rwproxy::config::parseCli(args, error);
  if (!options) {
    std::fprintf(stderr, "rwproxy: %s\n%s", error.c_str(), rwproxy::config::cliUsage());
    return kExitUsage;
  }
  if (options->help) {
    std::fputs(rwproxy::config::cliUsage(), stdout);
    return 0;
  }
  if (options->version) {
    std::printf("rwproxy %s\n", rwproxy::kVersion);
    return 0;
  }

  // Signals are taken by sigwait() below; every thread created from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto store =
      rwproxy::admin::ConfigStore::open(options->datadir, options->configFile, options->initial);
  if (!store) {
    logLine("{}", store.failure().message);
    return kExitStartup;
  }

  rwproxy::worker::DataPlane dataPlane;
  dataPlane.setDatadir(options->datadir);
  rwproxy::config::RuntimePtr published;  // the latest snapshot, with its rules compiled
  rwproxy::admin::AdminHooks hooks;
  hooks.validateRules = [](const rwproxy::config::Runtime& candidate) -> std::optional<Failure> {
    auto compiled = rwproxy::rules::RuleSet::compile(candidate.queryRules);
    if (!compiled.ok()) {
      return rwproxy::admin::makeFailure("mysql_query_rules: " + compiled.error().message());
    }
    return std::nullopt;
  };
  hooks.publish = [&dataPlane, &published](rwproxy::config::RuntimePtr runtime) {
    published = withCompiledRules(std::move(runtime));
    dataPlane.publish(published);
  };
  hooks.statsProvider = [&dataPlane](rwproxy::admin::StatsSink& sink) {
    fillStats(dataPlane, sink);
  };
  hooks.flushQueryCache = [&dataPlane] { dataPlane.flushQueryCache(); };
  hooks.shutdown = [] { kill(getpid(), SIGTERM); };
  rwproxy::admin::AdminExecutor executor(*store, std::move(hooks));

  std::vector<std::string> overrides;
  if (options->listen) {
    overrides.push_back("SET mysql-interfaces='" + *options->listen + "'");
  }
  if (options->threads) {
    overrides.push_back("SET mysql-threads=" + std::to_string(*options->threads));
  }
  if (options->admin) {
    overrides.push_back("SET admin-mysql_ifaces='" + *options->admin + "'");
  }
  if (!runAdmin(executor, overrides)) {
    return kExitStartup;
  }
  if (auto status = executor.loadAllToRuntime(); !status.isOk()) {
    logLine("the configuration does not load: {}", status.message());
    return kExitStartup;
  }

  auto runtime = published;
  int threads = runtime->mysql.threads > 0
                    ? runtime->mysql.threads
                    : static_cast<int>(std::clamp(
                          std::thread::hardware_concurrency(), 1u,
                          static_cast<unsigned>(rwproxy::worker::DataPlane::kMaxWorkers)));
  std::string appIface = firstInterface(runtime->mysql.interfaces);
  std::string host;
  int port = 0;
  if (!rwproxy::net::parseHostPort(appIface, host, port)) {
    logLine("mysql-interfaces '{}' is not ADDR:PORT", runtime->mysql.interfaces);
    return kExitStartup;
  }
  if (auto status = dataPlane.start(runtime, threads, host, port); !status) {
    logLine("{}", status.error().message);
    return kExitStartup;
  }

  rwproxy::admin::AdminServer adminServer(executor);
  std::string adminError = adminServer.listen(executor.adminRuntime()->mysqlIfaces);
  if (!adminError.empty()) {
    logLine("{}", adminError);
    dataPlane.shutdown(0);
    return kExitStartup;
  }
  adminServer.start();
  // Tests and scripts read the bound ports from this line (ports may be 0 in the config).
  logLine("{} ready: application port {}:{} ({} threads), admin port {}", rwproxy::kVersion, host,
          dataPlane.port(), threads, adminServer.port());

  int signal = 0;
  sigwait(&signals, &signal);
  logLine("received {}, finishing running queries", signal == SIGINT ? "SIGINT" : "SIGTERM");
  adminServer.stop();
  dataPlane.shutdown(static_cast<uint64_t>(executor.runtime()->mysql.shutdownTimeoutMs));
  logLine("stopped");
  return 0;
}

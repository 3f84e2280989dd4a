#include "admin/variables.h"

#include <catch2/catch.hpp>
#include <thread>

#include "rwproxy/version.h"

using namespace rwproxy::admin;

TEST_CASE("the registry has ProxySQL's names and our defaults", "[variables]") {
  struct Expect {
    const char* name;
    const char* value;
  };
  const Expect expected[] = {
      {"mysql-interfaces", "0.0.0.0:6033"},
      {"mysql-max_connections", "10000"},
      {"mysql-server_version", "8.0.11"},
      {"mysql-default_charset", "utf8mb4"},
      {"mysql-connect_timeout_server", "3000"},
      {"mysql-connect_timeout_server_max", "10000"},
      {"mysql-connect_retries_on_failure", "10"},
      {"mysql-connect_timeout_client", "10000"},
      {"mysql-wait_timeout", "28800000"},
      {"mysql-max_allowed_packet", "67108864"},
      {"mysql-monitor_username", "monitor"},
      {"mysql-monitor_password", "monitor"},
      {"mysql-monitor_enabled", "true"},
      {"mysql-monitor_connect_interval", "120000"},
      {"mysql-monitor_ping_interval", "8000"},
      {"mysql-monitor_read_only_interval", "1000"},
      {"mysql-monitor_replication_lag_interval", "10000"},
      {"mysql-multiplexing", "true"},
      {"mysql-free_connections_pct", "10"},
      {"mysql-connection_max_age_ms", "0"},
      {"mysql-ping_interval_server_msec", "10000"},
      {"mysql-shun_on_failures", "5"},
      {"mysql-shun_recovery_time_sec", "10"},
      {"mysql-query_retries_on_failure", "1"},
      {"mysql-max_stmts_per_connection", "20"},
      {"mysql-auto_increment_delay_multiplex", "5"},
      {"mysql-query_digests_max_query_length", "65000"},
      {"mysql-query_digests_max_entries", "100000"},
      {"mysql-query_cache_size_MB", "256"},
      {"mysql-query_cache_stores_empty_result", "true"},
      {"mysql-eventslog_filename", ""},
      {"mysql-eventslog_filesize", "104857600"},
      {"mysql-shutdown_timeout_ms", "10000"},
      {"mysql-keep_multiplexing_variables", "tx_isolation,version"},
      {"admin-admin_credentials", "admin:admin"},
      {"admin-stats_credentials", "stats:stats"},
      {"admin-mysql_ifaces", "127.0.0.1:6032"},
      {"admin-read_only", "false"},
      {"admin-refresh_interval", "2000"},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    const VariableDef* def = findVariable(e.name);
    REQUIRE(def != nullptr);
    CHECK(defaultValue(*def) == e.value);
    CHECK(parseValue(*def, defaultValue(*def)).isOk());
  }
  CHECK(defaultValue(*findVariable("admin-version")) == rwproxy::kVersion);
}

TEST_CASE("mysql-threads 0 means the CPU count, shown as the effective value", "[variables]") {
  const VariableDef* def = findVariable("mysql-threads");
  REQUIRE(def != nullptr);
  auto cpus = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  CHECK(defaultValue(*def) == cpus);
  CHECK(parseValue(*def, "0").value().s == cpus);
  CHECK(parseValue(*def, "3").value().i == 3);
}

TEST_CASE("values are validated by type and range", "[variables]") {
  const VariableDef* threads = findVariable("MYSQL-THREADS");  // names are case-insensitive
  REQUIRE(threads != nullptr);
  CHECK_FALSE(parseValue(*threads, "abc").isOk());
  CHECK_FALSE(parseValue(*threads, "3.5").isOk());
  CHECK_FALSE(parseValue(*threads, "-1").isOk());
  CHECK_FALSE(parseValue(*threads, "100000").isOk());
  auto bad = parseValue(*threads, "abc");
  CHECK(bad.failure().message.find("mysql-threads") != std::string::npos);
  CHECK(bad.failure().code == kErWrongValueForVar);

  const VariableDef* mux = findVariable("mysql-multiplexing");
  CHECK(parseValue(*mux, "FALSE").value().s == "false");
  CHECK(parseValue(*mux, "1").value().s == "true");
  CHECK_FALSE(parseValue(*mux, "yes please").isOk());

  const VariableDef* charset = findVariable("mysql-default_charset");
  CHECK(parseValue(*charset, "LATIN1").value().s == "latin1");
  CHECK_FALSE(parseValue(*charset, "klingon").isOk());

  const VariableDef* ifaces = findVariable("mysql-interfaces");
  CHECK(parseValue(*ifaces, "0.0.0.0:6033;127.0.0.1:7000").isOk());
  CHECK(parseValue(*ifaces, "/tmp/rwproxy.sock").isOk());
  CHECK_FALSE(parseValue(*ifaces, "0.0.0.0").isOk());
  CHECK_FALSE(parseValue(*ifaces, "0.0.0.0:99999").isOk());
}

TEST_CASE("admin credentials hold several user:pass pairs", "[variables]") {
  const VariableDef* creds = findVariable("admin-admin_credentials");
  CHECK(parseValue(*creds, "admin:admin;ops:s3:cret").isOk());
  CHECK_FALSE(parseValue(*creds, "nopassword").isOk());
  CHECK_FALSE(parseValue(*creds, ":x").isOk());
  auto list = parseCredentials("admin:admin;ops:s3:cret");
  REQUIRE(list.size() == 2);
  CHECK(list[1].user == "ops");
  CHECK(list[1].password == "s3:cret");
}

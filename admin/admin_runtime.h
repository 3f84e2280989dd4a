#pragma once

// The admin-* variables as the admin listener uses them, rebuilt by LOAD ADMIN VARIABLES TO
// RUNTIME. Immutable once published; any thread may read a published AdminRuntimePtr.

#include <memory>
#include <string>
#include <vector>

namespace rwproxy::admin {

struct AdminCredential {
  std::string user;
  std::string password;
};

struct AdminRuntime {
  // admin-admin_credentials: full access. Several "user:pass" pairs separated by ';'.
  std::vector<AdminCredential> adminCredentials = {{"admin", "admin"}};
  // admin-stats_credentials: read-only access to the stats tables.
  std::vector<AdminCredential> statsCredentials = {{"stats", "stats"}};
  std::string mysqlIfaces = "127.0.0.1:6032";  // admin-mysql_ifaces, "host:port[;host:port]"
  bool readOnly = false;                       // admin-read_only
  int refreshIntervalMs = 2000;                // admin-refresh_interval
  std::string version;                         // admin-version (rwproxy::kVersion)
};

using AdminRuntimePtr = std::shared_ptr<const AdminRuntime>;

}  // namespace rwproxy::admin

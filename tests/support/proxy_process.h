#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace rwproxy::test {

// A real rwproxy process for end-to-end tests: its own temporary datadir, a config script, the
// app and admin ports on 127.0.0.1 picked by the kernel (port 0) and read back from the
// "ready" log line. The binary comes from $RWPROXY_BIN (set by CTest).
class ProxyProcess {
 public:
  struct Options {
    std::string configSql;               // the --config script
    std::vector<std::string> extraArgs;  // more command-line flags
    int threads = 2;
    std::string datadir;  // "" = a new temporary directory
  };

  ProxyProcess() = default;
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  // Starts and waits for the ready line; false (with log()) when it exits or times out.
  bool start(const Options& options);
  // SIGTERM and wait; returns the exit status (or -1 when it had to be killed).
  int stop();
  // Waits for the process to exit by itself; returns its exit status or -1 on timeout.
  int waitExit(int timeoutMs);
  bool running() const { return pid_ > 0; }

  int appPort() const { return appPort_; }
  int adminPort() const { return adminPort_; }
  const std::string& datadir() const { return datadir_; }
  std::string log() const;
  pid_t pid() const { return pid_; }
  // Resident memory in KiB, from /proc.
  long rssKiB() const;

  // A configuration script with the cluster's writer in hostgroup 10, both replicas in
  // hostgroup 20 and the app user defaulting to hostgroup 10.
  static std::string clusterConfig();
  // Options running clusterConfig() and then `extraSql`, on `threads` workers.
  static Options clusterOptions(const std::string& extraSql = "", int threads = 2);

 private:
  pid_t pid_ = -1;
  std::string datadir_;
  bool ownDatadir_ = false;
  std::string logPath_;
  int appPort_ = 0;
  int adminPort_ = 0;
};

class MysqlClient;
struct ConnectOptions;

// The application user's login to a proxy's app port (optionally with a default schema).
ConnectOptions appOptions(const ProxyProcess& proxy, const std::string& database = "");
// A server account of a test's own, with ALL on `schemas`, created on the writer (replicas get
// it by replication): a test that counts backend connections on the servers must not see the
// other tests' traffic on the shared cluster.
struct TestAccount {
  std::string user;
  std::string password;

  void create(const std::vector<std::string>& schemas = {"rwtest"}) const;
  // The mysql_users row for it, defaulting to `hostgroup`.
  std::string usersRow(int hostgroup) const;
  // Its connections on the writer (information_schema.PROCESSLIST).
  std::string writerConnections() const;
  // The proxy's app-port login as this account.
  ConnectOptions login(const ProxyProcess& proxy, const std::string& database) const;
};

// Logs in to the proxy's admin port as admin:admin; throws on failure.
void connectAdmin(MysqlClient& client, const ProxyProcess& proxy);

// A stats_mysql_global value, over an admin connection or a new one to `proxy`.
std::string globalStatus(MysqlClient& admin, const std::string& name);
std::string globalStatus(const ProxyProcess& proxy, const std::string& name);

}  // namespace rwproxy::test

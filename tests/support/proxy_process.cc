#include "tests/support/proxy_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/cluster_env.h"
#include "tests/support/mysql_client.h"
#include "tests/support/wait.h"

namespace rwproxy::test {

namespace {

std::string binary() {
  const char* bin = std::getenv("RWPROXY_BIN");
  if (bin == nullptr) {
    throw std::runtime_error("RWPROXY_BIN is not set: run end-to-end tests with ctest");
  }
  return bin;
}

std::string makeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rwproxy-e2e.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return pattern;
}

// "... ready: application port 127.0.0.1:PORT (N threads), admin port PORT"
bool parseReadyLine(const std::string& log, int& appPort, int& adminPort) {
  auto at = log.find(" ready: application port ");
  if (at == std::string::npos) {
    return false;
  }
  auto colon = log.find(':', at + 25);
  auto admin = log.find("admin port ", at);
  if (colon == std::string::npos || admin == std::string::npos) {
    return false;
  }
  appPort = std::atoi(log.c_str() + colon + 1);
  adminPort = std::atoi(log.c_str() + admin + 11);
  return appPort > 0 && adminPort > 0;
}

}  // namespace

ProxyProcess::~ProxyProcess() {
  if (pid_ > 0) {
    stop();
  }
  if (ownDatadir_ && !datadir_.empty() && std::getenv("RWPROXY_KEEP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(datadir_, ec);
  }
}

std::string ProxyProcess::clusterConfig() {
  const auto& env = ClusterEnv::get();
  std::ostringstream out;
  out << "-- written by the e2e tests\n";
  out << "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (10, '127.0.0.1', "
      << env.writerPort() << ");\n";
  for (int n = 1; n <= env.replicaCount(); ++n) {
    out << "INSERT INTO mysql_servers (hostgroup_id, hostname, port) VALUES (20, '127.0.0.1', "
        << env.replicaPort(n) << ");\n";
  }
  out << "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('"
      << env.value("APP_USER") << "', '" << env.value("APP_PASSWORD") << "', 10);\n";
  return out.str();
}

ProxyProcess::Options ProxyProcess::clusterOptions(const std::string& extraSql, int threads) {
  Options options;
  options.configSql = clusterConfig() + extraSql;
  options.threads = threads;
  return options;
}

bool ProxyProcess::start(const Options& options) {
  if (options.datadir.empty()) {
    datadir_ = makeTempDir();
    ownDatadir_ = true;
  } else {
    datadir_ = options.datadir;
    std::filesystem::create_directories(datadir_);
  }
  std::string configPath = datadir_ + "/config.sql";
  {
    std::ofstream cfg(configPath);
    cfg << options.configSql;
  }
  logPath_ = datadir_ + "/rwproxy.log";
  std::filesystem::remove(logPath_);  // a restart on the same datadir must not read old lines
  std::vector<std::string> args = {binary(),
                                   "--datadir",
                                   datadir_,
                                   "--config",
                                   configPath,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--admin",
                                   "127.0.0.1:0",
                                   "--threads",
                                   std::to_string(options.threads)};
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());
  pid_ = fork();
  if (pid_ < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    FILE* log = std::fopen(logPath_.c_str(), "a");
    if (log != nullptr) {
      dup2(fileno(log), STDERR_FILENO);
      dup2(fileno(log), STDOUT_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  bool ok = waitFor(
      [&] {
        if (parseReadyLine(log(), appPort_, adminPort_)) {
          return true;
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          return true;
        }
        return false;
      },
      std::chrono::seconds(60));
  return ok && pid_ > 0;
}

int ProxyProcess::waitExit(int timeoutMs) {
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int ProxyProcess::stop() {
  if (pid_ <= 0) {
    return -1;
  }
  kill(pid_, SIGTERM);
  int status = waitExit(60000);
  if (status == -1 && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  return status;
}

std::string ProxyProcess::log() const {
  std::ifstream in(logPath_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

long ProxyProcess::rssKiB() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

ConnectOptions appOptions(const ProxyProcess& proxy, const std::string& database) {
  const auto& env = ClusterEnv::get();
  ConnectOptions o;
  o.port = proxy.appPort();
  o.user = env.value("APP_USER");
  o.password = env.value("APP_PASSWORD");
  o.database = database;
  return o;
}

void TestAccount::create(const std::vector<std::string>& schemas) const {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  root.exec("CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
  for (const auto& schema : schemas) {
    root.exec("GRANT ALL ON " + schema + ".* TO '" + user + "'@'%'");
  }
}

std::string TestAccount::usersRow(int hostgroup) const {
  return "INSERT INTO mysql_users (username, password, default_hostgroup) VALUES ('" + user +
         "', '" + password + "', " + std::to_string(hostgroup) + ");\n";
}

std::string TestAccount::writerConnections() const {
  MysqlClient root;
  connectRoot(root, ClusterEnv::get().writerPort());
  return root.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + user +
                     "'");
}

ConnectOptions TestAccount::login(const ProxyProcess& proxy, const std::string& database) const {
  ConnectOptions o = appOptions(proxy, database);
  o.user = user;
  o.password = password;
  return o;
}

void connectAdmin(MysqlClient& client, const ProxyProcess& proxy) {
  ConnectOptions o;
  o.port = proxy.adminPort();
  o.user = "admin";
  o.password = "admin";
  if (!client.connect(o)) {
    throw std::runtime_error("cannot log in to the admin port: " + client.errorText());
  }
}

std::string globalStatus(MysqlClient& admin, const std::string& name) {
  return admin.scalar("SELECT Variable_Value FROM stats_mysql_global WHERE Variable_Name = '" +
                      name + "'");
}

std::string globalStatus(const ProxyProcess& proxy, const std::string& name) {
  MysqlClient admin;
  connectAdmin(admin, proxy);
  return globalStatus(admin, name);
}

}  // namespace rwproxy::test

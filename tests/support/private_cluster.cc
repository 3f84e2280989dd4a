#include "tests/support/private_cluster.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace rwproxy::test {

namespace {

std::string clusterScript() {
  const char* source = std::getenv("RWPROXY_SOURCE_DIR");
  if (source == nullptr) {
    throw std::runtime_error("RWPROXY_SOURCE_DIR is not set: run end-to-end tests with ctest");
  }
  return std::string(source) + "/tests/cluster/cluster";
}

}  // namespace

PrivateCluster::PrivateCluster(int replicas) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "rwproxy-private-cluster.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  stateDir_ = pattern;
  try {
    run("start '" + stateDir_ + "' --replicas " + std::to_string(replicas));
    env_ = ClusterEnv::fromFile(stateDir_ + "/cluster.env");
  } catch (...) {
    stopAndRemove();  // no destructor runs for a constructor that throws
    throw;
  }
}

PrivateCluster::~PrivateCluster() { stopAndRemove(); }

void PrivateCluster::stopAndRemove() {
  std::string command = "'" + clusterScript() + "' stop '" + stateDir_ + "' >/dev/null 2>&1";
  (void)std::system(command.c_str());
  std::error_code ec;
  std::filesystem::remove_all(stateDir_, ec);
}

void PrivateCluster::stopServer(int n) {
  run("stop-server '" + stateDir_ + "' " + std::to_string(n));
}

void PrivateCluster::startServer(int n) {
  run("start-server '" + stateDir_ + "' " + std::to_string(n));
}

void PrivateCluster::run(const std::string& args) {
  std::string command = "'" + clusterScript() + "' " + args + " >&2";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("cluster " + args + " failed");
  }
}

}  // namespace rwproxy::test

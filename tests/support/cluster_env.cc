#include "tests/support/cluster_env.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace rwproxy::test {

const ClusterEnv& ClusterEnv::get() {
  static const ClusterEnv env = [] {
    const char* path = std::getenv("RWPROXY_CLUSTER_FILE");
    if (path == nullptr) {
      throw std::runtime_error("RWPROXY_CLUSTER_FILE is not set: run end-to-end tests with ctest");
    }
    return fromFile(path);
  }();
  return env;
}

ClusterEnv ClusterEnv::fromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read cluster file " + path);
  }
  ClusterEnv result;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) {
      result.values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return result;
}

const std::string& ClusterEnv::value(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) {
    throw std::runtime_error("cluster file has no " + key);
  }
  return it->second;
}

}  // namespace rwproxy::test

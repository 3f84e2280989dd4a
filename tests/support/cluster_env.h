#pragma once

#include <map>
#include <string>

namespace rwproxy::test {

// The address file `tests/cluster/cluster start` writes (KEY=VALUE lines), found through
// $RWPROXY_CLUSTER_FILE, which CTest sets for every end-to-end test.
class ClusterEnv {
 public:
  // Throws std::runtime_error when the file is missing: an e2e test run outside CTest
  // must say so rather than fail obscurely.
  static const ClusterEnv& get();
  // Reads another cluster's address file (a PrivateCluster's). Throws when it cannot be read.
  static ClusterEnv fromFile(const std::string& path);

  const std::string& value(const std::string& key) const;
  int port(const std::string& key) const { return std::stoi(value(key)); }

  int writerPort() const { return port("WRITER_PORT"); }
  // REQUIRES: 1 <= n <= replicaCount().
  int replicaPort(int n) const { return port("REPLICA" + std::to_string(n) + "_PORT"); }
  int replicaCount() const { return std::stoi(value("REPLICA_COUNT")); }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace rwproxy::test

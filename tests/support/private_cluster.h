#pragma once

#include <string>

#include "tests/support/cluster_env.h"

namespace rwproxy::test {

// A MariaDB cluster of one test's own (tests/cluster/cluster with its own state directory), for
// tests that stop and start servers: the shared cluster must stay up for the tests running next
// to them. Started by the constructor, stopped by the destructor.
class PrivateCluster {
 public:
  // Throws std::runtime_error when the cluster does not start.
  explicit PrivateCluster(int replicas);
  ~PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  const ClusterEnv& env() const { return env_; }
  // Server n: 1 is the writer, 2.. the replicas. Both wait until the server is down / answers.
  void stopServer(int n);
  void startServer(int n);

 private:
  void stopAndRemove();
  void run(const std::string& args);

  std::string stateDir_;
  ClusterEnv env_;
};

}  // namespace rwproxy::test

#pragma once

#include <functional>
#include <memory>
#include <string>

#include "proxy/pool/backend_pool.h"
#include "proxy/session/backend_connection.h"

namespace rwproxy::session {

// One mirrored query (mirror_hostgroup / mirror_flagOUT): sent to its own backend connection,
// its reply read and discarded. The client never waits for it and never sees it. `done` runs
// once at the end so the worker can drop the task.
class MirrorTask : public net::Deletable, private BackendListener {
 public:
  MirrorTask(net::Loop& loop, pool::BackendPool& pool, BackendIdentity identity, std::string schema,
             const BackendCredentials& credentials, std::string query, bool stateless,
             uint64_t connectTimeoutMs, pool::ServerSlot slot, std::function<void()> done);

 private:
  void onBackendReady(BackendConnection& backend) override;
  void onBackendFailed(BackendConnection& backend, const protocol::Error& error) override;
  void onBackendReply(BackendConnection&, protocol::Bytes) override {}
  void onBackendReplyDone(BackendConnection& backend) override;
  void send();
  void finish();

  net::Loop& loop_;
  pool::BackendPool& pool_;
  std::unique_ptr<BackendConnection> backend_;
  std::string query_;
  bool stateless_;  // false: the mirror may leave state behind; never pool its connection
  std::function<void()> done_;
};

}  // namespace rwproxy::session

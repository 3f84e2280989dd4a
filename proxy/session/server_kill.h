#pragma once

#include <functional>
#include <memory>

#include "proxy/session/backend_connection.h"

namespace rwproxy::session {

// Stops a query (or a whole connection) on a server from a separate connection, as KILL must:
// closing our socket does not stop a running statement. Fire and forget; `done` runs once at
// the end, success or not, so the owner can drop this object.
class ServerKill : public net::Deletable, private BackendListener {
 public:
  ServerKill(net::Loop& loop, const BackendIdentity& target, const BackendCredentials& credentials,
             uint32_t threadId, bool queryOnly, uint64_t timeoutMs, std::function<void()> done);

 private:
  void onBackendReady(BackendConnection& backend) override;
  void onBackendFailed(BackendConnection& backend, const protocol::Error& error) override;
  void onBackendReply(BackendConnection&, protocol::Bytes) override {}
  void onBackendReplyDone(BackendConnection& backend) override;
  void finish();

  std::unique_ptr<BackendConnection> connection_;
  uint32_t threadId_;
  bool queryOnly_;
  std::function<void()> done_;
};

}  // namespace rwproxy::session

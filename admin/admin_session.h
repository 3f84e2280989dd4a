#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "admin/reply.h"
#include "proxy/net/tcp_stream.h"
#include "proxy/protocol/packet.h"
#include "proxy/session/server_auth.h"

namespace rwproxy::admin {

class AdminServer;

// One connection on the admin port: the MySQL login against admin-admin_credentials (or the
// read-only admin-stats_credentials), then each COM_QUERY run by the AdminExecutor and its
// AdminReply sent back as OK, ERR or a text result set.
class AdminSession : private net::StreamHandler {
 public:
  AdminSession(AdminServer& server, uint32_t id);
  ~AdminSession() override;

  bool start(uv_stream_t* listener);
  // A connection that has not logged in within `timeoutMs` of connecting is closed: the admin
  // port must not be held open by clients that never authenticate.
  void closeIfLoginExpired(uint64_t nowMs, uint64_t timeoutMs);
  void close();

 private:
  void onRead(std::span<const uint8_t> data) override;
  void onClosed(int uvError) override;

  void onLogin(protocol::Bytes payload, uint8_t seq);
  void onCommand(protocol::Bytes payload);
  void reply(const AdminReply& reply);
  void writeOk(uint64_t affectedRows, const std::string& info);
  void writeError(uint16_t code, const std::string& sqlState, const std::string& message,
                  uint8_t seq = 1);
  std::optional<std::string> passwordFor(std::string_view user) const;
  bool allowedForStatsUser(std::string_view sql) const;

  AdminServer& server_;
  uint32_t id_;
  net::TcpStream stream_;
  std::unique_ptr<session::ServerAuth> auth_;
  protocol::PacketAssembler input_;
  std::string clientHost_;
  int clientPort_ = 0;
  bool loopback_ = false;
  bool loggedIn_ = false;
  uint64_t connectedMs_ = 0;
  bool statsOnly_ = false;
  uint32_t capabilities_ = 0;
  bool closed_ = false;
};

}  // namespace rwproxy::admin

#include "admin/admin_server.h"

#include <sstream>

#include "admin/admin_session.h"

namespace rwproxy::admin {

namespace {

// mysql-connect_timeout_client's default: the same patience as on the app port.
constexpr uint64_t kAdminLoginTimeoutMs = 10000;

}  // namespace

AdminServer::AdminServer(AdminExecutor& executor) : executor_(executor) {
  ticker_ = std::make_unique<net::Timer>(loop_, [this] { onTick(); });
  ticker_->start(1000, 1000);
}

void AdminServer::onTick() {
  uint64_t now = net::nowMs(loop_);
  std::vector<AdminSession*> all;
  for (auto& [raw, s] : sessions_) {
    all.push_back(raw);
  }
  for (auto* s : all) {
    s->closeIfLoginExpired(now, kAdminLoginTimeoutMs);
  }
}

AdminServer::~AdminServer() {
  stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  sessions_.clear();
  listeners_.clear();
  ticker_.reset();
}

std::string AdminServer::listen(const std::string& ifaces) {
  std::stringstream list(ifaces);
  std::string item;
  while (std::getline(list, item, ';')) {
    if (item.empty()) {
      continue;
    }
    std::string host;
    int port = 0;
    if (!net::parseHostPort(item, host, port)) {
      return "admin interface '" + item + "' is not ADDR:PORT";
    }
    auto listener =
        std::make_unique<net::Listener>(loop_, [this](uv_stream_t* server) { onAccept(server); });
    int rc = listener->listen(host, port, /*reusePort=*/false, 128);
    if (rc != 0) {
      return "cannot listen on admin interface " + item + ": " + uv_strerror(rc);
    }
    ports_.push_back(listener->boundPort());
    listeners_.push_back(std::move(listener));
  }
  if (listeners_.empty()) {
    return "no admin interface configured (admin-mysql_ifaces is empty)";
  }
  return "";
}

void AdminServer::start() {
  thread_ = std::thread([this] { loop_.run(); });
}

void AdminServer::stop() {
  loop_.post([this] {
    ticker_.reset();
    listeners_.clear();
    std::vector<AdminSession*> all;
    for (auto& [raw, s] : sessions_) {
      all.push_back(raw);
    }
    for (auto* s : all) {
      s->close();
    }
    loop_.stop();
  });
}

void AdminServer::onAccept(uv_stream_t* server) {
  auto session = std::make_unique<AdminSession>(*this, newSessionId());
  AdminSession* raw = session.get();
  sessions_.emplace(raw, std::move(session));
  if (!raw->start(server)) {
    raw->close();
  }
}

void AdminServer::sessionClosed(AdminSession& session) {
  auto it = sessions_.find(&session);
  if (it == sessions_.end()) {
    return;
  }
  // The session is inside one of its own callbacks: delete it after.
  struct Holder : net::Deletable {
    std::unique_ptr<AdminSession> session;
  };
  auto holder = std::make_unique<Holder>();
  holder->session = std::move(it->second);
  sessions_.erase(it);
  loop_.deferredDelete(std::move(holder));
}

}  // namespace rwproxy::admin

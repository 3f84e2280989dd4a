// bench_idle_clients: open N authenticated MySQL client connections, keep them idle, close them.
//
//   bench_idle_clients --host H --port P --user U --password PW [--db D] [-n N] [--no-query]
//
// Connections are opened one after another with mysql_real_connect (each one completes the full
// handshake and authentication); unless --no-query is given each runs `SELECT 1` once, so the
// proxy has done one query's worth of work for it and any backend connection it borrowed has been
// given back. Then the tool prints "ready N" on stdout and waits until stdin reaches EOF (or
// SIGTERM/SIGINT/SIGHUP arrives), closes every connection and exits 0. While it waits, a line
// "check" on stdin makes it run SELECT 1 on every connection and print "checked OK FAILED". A
// failed connect or query is reported on stderr with the connection's index and the client
// library's error text, and the tool exits 1 without printing "ready".
//
// Used by `tests/bench/run memory` to measure a proxy's memory per idle client.
#include <mysql.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <poll.h>
#include <unistd.h>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_idle_clients: %s\n"
               "usage: bench_idle_clients --host H --port P --user U --password PW [--db D]\n"
               "                          [-n N] [--no-query] [--connect-timeout S]\n",
               why);
  std::exit(2);
}

struct Options {
  std::string host = "127.0.0.1";
  unsigned port = 0;
  std::string user;
  std::string password;
  std::string db;
  long count = 1000;
  bool query = true;
  unsigned connect_timeout_s = 10;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--host")
      o.host = value();
    else if (a == "--port")
      o.port = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else if (a == "--user")
      o.user = value();
    else if (a == "--password")
      o.password = value();
    else if (a == "--db")
      o.db = value();
    else if (a == "-n" || a == "--count")
      o.count = std::strtol(value().c_str(), nullptr, 10);
    else if (a == "--no-query")
      o.query = false;
    else if (a == "--connect-timeout")
      o.connect_timeout_s = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.port == 0 || o.port > 65535) usage("--port is required");
  if (o.user.empty()) usage("--user is required");
  if (o.count < 1) usage("-n must be at least 1");
  return o;
}

void close_all(std::vector<MYSQL*>& conns) {
  for (MYSQL* c : conns) mysql_close(c);
  conns.clear();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  if (mysql_library_init(0, nullptr, nullptr) != 0) {
    std::fprintf(stderr, "bench_idle_clients: mysql_library_init failed\n");
    return 1;
  }
  std::vector<MYSQL*> conns;
  conns.reserve(static_cast<size_t>(o.count));
  for (long i = 0; i < o.count && !g_stop; ++i) {
    MYSQL* c = mysql_init(nullptr);
    if (c == nullptr) {
      std::fprintf(stderr, "bench_idle_clients: connection %ld: mysql_init failed\n", i);
      close_all(conns);
      return 1;
    }
    mysql_options(c, MYSQL_OPT_CONNECT_TIMEOUT, &o.connect_timeout_s);
    mysql_options(c, MYSQL_OPT_READ_TIMEOUT, &o.connect_timeout_s);
    mysql_options(c, MYSQL_OPT_WRITE_TIMEOUT, &o.connect_timeout_s);
    if (mysql_real_connect(c, o.host.c_str(), o.user.c_str(), o.password.c_str(),
                           o.db.empty() ? nullptr : o.db.c_str(), o.port, nullptr, 0) == nullptr) {
      std::fprintf(stderr, "bench_idle_clients: connection %ld of %ld: connect failed: %u %s\n",
                   i + 1, o.count, mysql_errno(c), mysql_error(c));
      mysql_close(c);
      close_all(conns);
      return 1;
    }
    conns.push_back(c);
    if (o.query) {
      if (mysql_query(c, "SELECT 1") != 0) {
        std::fprintf(stderr, "bench_idle_clients: connection %ld of %ld: SELECT 1 failed: %u %s\n",
                     i + 1, o.count, mysql_errno(c), mysql_error(c));
        close_all(conns);
        return 1;
      }
      MYSQL_RES* r = mysql_store_result(c);
      if (r == nullptr) {
        std::fprintf(stderr, "bench_idle_clients: connection %ld of %ld: no result: %u %s\n", i + 1,
                     o.count, mysql_errno(c), mysql_error(c));
        close_all(conns);
        return 1;
      }
      mysql_free_result(r);
    }
  }
  if (g_stop) {
    close_all(conns);
    return 1;
  }
  std::printf("ready %zu\n", conns.size());
  std::fflush(stdout);

  // Idle until stdin closes or a signal arrives. A line "check" on stdin runs SELECT 1 on every
  // connection and prints "checked OK FAILED" (the first failure's error goes to stderr): it shows
  // whether the proxy kept every idle client usable.
  char buf[256];
  while (!g_stop) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int rc = poll(&p, 1, 1000);
    if (rc < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (rc == 0) continue;
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) break;  // EOF
    if (n < 0 && errno != EINTR && errno != EAGAIN) break;
    if (n > 0 && std::string(buf, static_cast<size_t>(n)).find("check") != std::string::npos) {
      size_t ok = 0, failed = 0;
      for (size_t i = 0; i < conns.size(); ++i) {
        MYSQL* c = conns[i];
        MYSQL_RES* r = nullptr;
        if (mysql_query(c, "SELECT 1") == 0 && (r = mysql_store_result(c)) != nullptr) {
          mysql_free_result(r);
          ++ok;
        } else {
          if (failed == 0)
            std::fprintf(stderr, "bench_idle_clients: check: connection %zu: %u %s\n", i + 1,
                         mysql_errno(c), mysql_error(c));
          ++failed;
        }
      }
      std::printf("checked %zu %zu\n", ok, failed);
      std::fflush(stdout);
    }
  }
  close_all(conns);
  mysql_library_end();
  return 0;
}

// bench_pool: client load for the pooling benchmarks (tests/bench/run pool).
//
//   bench_pool storm --host H --port P --user U --password PW [--db D] [--threads N] [--seconds S]
//     Each thread loops: connect, SELECT 1, close. Prints
//     "storm connects N per_second X errors E".
//   bench_pool load --host H --port P --user U --password PW [--db D] [--threads N]
//                   [--seconds S] [--query Q]
//     Each thread keeps one connection and runs Q in a loop. Prints
//     "load queries N per_second X p50_us A p99_us B errors E".
//
// Errors are counted, not fatal; the first few are printed on stderr.
#include <mysql.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  unsigned port = 0;
  std::string user;
  std::string password;
  std::string db;
  int threads = 16;
  double seconds = 10;
  std::string query = "SELECT 1";
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_pool: %s\nusage: bench_pool storm|load --host H --port P --user U "
               "--password PW [--db D] [--threads N] [--seconds S] [--query Q]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage("no mode");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) usage("an option lacks its value");
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--host")
      o.host = v;
    else if (k == "--port")
      o.port = static_cast<unsigned>(std::atoi(v));
    else if (k == "--user")
      o.user = v;
    else if (k == "--password")
      o.password = v;
    else if (k == "--db")
      o.db = v;
    else if (k == "--threads")
      o.threads = std::atoi(v);
    else if (k == "--seconds")
      o.seconds = std::atof(v);
    else if (k == "--query")
      o.query = v;
    else
      usage(("unknown option " + k).c_str());
  }
  if (o.port == 0 || o.user.empty() || o.threads <= 0) usage("--port, --user and --threads > 0");
  if (o.mode != "storm" && o.mode != "load") usage("mode must be storm or load");
  return o;
}

std::atomic<int> g_errorsPrinted{0};

void reportError(MYSQL* m, const char* what) {
  if (g_errorsPrinted.fetch_add(1) < 5) {
    std::fprintf(stderr, "bench_pool: %s: %s\n", what, mysql_error(m));
  }
}

MYSQL* connect(const Options& o) {
  MYSQL* m = mysql_init(nullptr);
  unsigned timeout = 10;
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (!mysql_real_connect(m, o.host.c_str(), o.user.c_str(), o.password.c_str(),
                          o.db.empty() ? nullptr : o.db.c_str(), o.port, nullptr, 0)) {
    reportError(m, "connect");
    mysql_close(m);
    return nullptr;
  }
  return m;
}

bool runQuery(MYSQL* m, const std::string& q) {
  if (mysql_real_query(m, q.data(), q.size()) != 0) {
    reportError(m, "query");
    return false;
  }
  MYSQL_RES* r = mysql_store_result(m);
  if (r) mysql_free_result(r);
  return mysql_errno(m) == 0;
}

using Clock = std::chrono::steady_clock;

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  mysql_library_init(0, nullptr, nullptr);
  std::atomic<uint64_t> done{0}, errors{0};
  std::mutex latencyMutex;
  std::vector<uint32_t> latenciesUs;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(o.seconds));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&] {
      mysql_thread_init();
      std::vector<uint32_t> mine;
      MYSQL* held = o.mode == "load" ? connect(o) : nullptr;
      if (o.mode == "load" && held == nullptr) {
        errors++;
      }
      while (Clock::now() < deadline && (o.mode == "storm" || held != nullptr)) {
        auto t0 = Clock::now();
        bool ok;
        if (o.mode == "storm") {
          MYSQL* m = connect(o);
          ok = m != nullptr && runQuery(m, "SELECT 1");
          if (m) mysql_close(m);
        } else {
          ok = runQuery(held, o.query);
        }
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
        if (ok) {
          done++;
          mine.push_back(static_cast<uint32_t>(us));
        } else {
          errors++;
        }
      }
      if (held) mysql_close(held);
      std::lock_guard lock(latencyMutex);
      latenciesUs.insert(latenciesUs.end(), mine.begin(), mine.end());
      mysql_thread_end();
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latenciesUs.begin(), latenciesUs.end());
  auto pct = [&](double q) -> uint32_t {
    if (latenciesUs.empty()) return 0;
    return latenciesUs[std::min(latenciesUs.size() - 1,
                                static_cast<size_t>(q * static_cast<double>(latenciesUs.size())))];
  };
  if (o.mode == "storm") {
    std::printf("storm connects %llu per_second %.0f errors %llu\n",
                static_cast<unsigned long long>(done.load()), static_cast<double>(done) / elapsed,
                static_cast<unsigned long long>(errors.load()));
  } else {
    std::printf("load queries %llu per_second %.0f p50_us %u p99_us %u errors %llu\n",
                static_cast<unsigned long long>(done.load()), static_cast<double>(done) / elapsed,
                pct(0.50), pct(0.99), static_cast<unsigned long long>(errors.load()));
  }
  mysql_library_end();
  return 0;
}

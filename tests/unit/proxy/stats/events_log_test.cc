#include "proxy/stats/events_log.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "proxy/stats/rotating_file.h"
#include "tests/unit/proxy/stats/json_line.h"

using namespace rwproxy::stats;
using rwproxy::stats::test::fieldOf;
using rwproxy::stats::test::parseJsonLine;
namespace fs = std::filesystem;

namespace {

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/rwproxy-eventslog-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

LogEvent eventNumber(uint64_t n, std::string_view query = "SELECT ?") {
  LogEvent event;
  event.timeUnixUs = 1714566896000000ULL + n;
  event.username = "app";
  event.schemaname = "shop";
  event.client = "127.0.0.1:40000";
  event.hostgroup = 1;
  event.server = "127.0.0.1:3306";
  event.durationUs = n;
  event.digest = 0xABC;
  event.query = query;
  return event;
}

std::vector<std::string> numberedFiles(const std::string& base) {
  std::vector<std::string> files;
  for (uint32_t i = 1; fs::exists(RotatingFile::numberedPath(base, i)); ++i) {
    files.push_back(RotatingFile::numberedPath(base, i));
  }
  return files;
}

}  // namespace

TEST_CASE("events are written as JSON lines, in order") {
  TempDir dir;
  const std::string base = dir.file("events.log");
  EventsLog log;
  CHECK_FALSE(log.enabled());
  log.configure(base, 0);
  CHECK(log.enabled());
  std::string scratch;
  const std::string tricky = "SELECT \"x\", '\\', '\n', '\x01', 'caf\xc3\xa9', '\xff'";
  for (uint64_t n = 0; n < 3; ++n) CHECK(log.log(eventNumber(n, tricky), scratch));
  log.flush();

  const std::string path = RotatingFile::numberedPath(base, 1);
  CHECK(path == base + ".00000001");
  CHECK(log.currentFile() == path);
  const auto lines = readLines(path);
  REQUIRE(lines.size() == 3);
  for (uint64_t n = 0; n < 3; ++n) {
    const auto fields = parseJsonLine(lines[n]);
    REQUIRE(fields);
    CHECK(fieldOf(*fields, "duration_us") == std::to_string(n));
    CHECK(fieldOf(*fields, "query") ==
          "SELECT \"x\", '\\', '\n', '\x01', 'caf\xc3\xa9', '\xc3\xbf'");
    CHECK(fieldOf(*fields, "digest") == "0x0000000000000ABC");
  }
  const EventsLogCounters counters = log.counters();
  CHECK(counters.queued == 3);
  CHECK(counters.written == 3);
  CHECK(counters.dropped == 0);
  CHECK(counters.errors == 0);
  CHECK(log.lastError().empty());
}

TEST_CASE("a file past the size limit is closed after that line and the next one starts") {
  TempDir dir;
  const std::string base = dir.file("events.log");
  std::string line;
  appendEventLine(line, eventNumber(0));
  const uint64_t limit = line.size() * 5 / 2;  // 2.5 lines: 3 lines per file
  {
    EventsLog log;
    log.configure(base, limit);
    std::string scratch;
    for (uint64_t n = 0; n < 10; ++n) {
      REQUIRE(log.log(eventNumber(n), scratch));
      if (n % 4 == 0) log.flush();  // rotation must not depend on batch boundaries
    }
    log.flush();
    CHECK(log.counters().written == 10);
  }
  const auto files = numberedFiles(base);
  REQUIRE(files.size() == 4);
  uint64_t next = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto lines = readLines(files[i]);
    CHECK(lines.size() == (i < 3 ? 3u : 1u));
    if (i < 3) CHECK(fs::file_size(files[i]) > limit);
    for (const auto& l : lines) {
      const auto fields = parseJsonLine(l);
      REQUIRE(fields);
      CHECK(fieldOf(*fields, "duration_us") == std::to_string(next++));
    }
  }
}

TEST_CASE("numbering resumes after the highest existing file") {
  TempDir dir;
  const std::string base = dir.file("events.log");
  std::ofstream(RotatingFile::numberedPath(base, 7)) << "old\n";
  std::ofstream(base + ".123") << "not ours\n";
  std::ofstream(base + ".0000000x") << "not ours\n";
  std::ofstream(dir.file("other.log.00000009")) << "not ours\n";
  CHECK(RotatingFile::highestExistingIndex(base) == 7);

  EventsLog log;
  log.configure(base, 0);
  std::string scratch;
  CHECK(log.log(eventNumber(1), scratch));
  log.flush();
  CHECK(readAll(RotatingFile::numberedPath(base, 7)) == "old\n");
  CHECK(readLines(RotatingFile::numberedPath(base, 8)).size() == 1);
}

TEST_CASE("an empty filename disables the log") {
  TempDir dir;
  EventsLog log;
  std::string scratch;
  CHECK_FALSE(log.log(eventNumber(1), scratch));
  log.configure(dir.file("events.log"), 0);
  CHECK(log.log(eventNumber(2), scratch));
  log.configure("", 0);
  CHECK_FALSE(log.enabled());
  CHECK_FALSE(log.log(eventNumber(3), scratch));
  log.flush();
  const EventsLogCounters counters = log.counters();
  CHECK(counters.queued == 1);
  CHECK(counters.written == 1);
  CHECK(counters.dropped == 0);
  CHECK(log.currentFile().empty());
  CHECK(readLines(dir.file("events.log.00000001")).size() == 1);
}

TEST_CASE("changing the filename switches files at the right event") {
  TempDir dir;
  EventsLog log;
  std::string scratch;
  log.configure(dir.file("a.log"), 0);
  log.pauseWriterForTest(true);  // both changes and all events reach the writer in one batch
  CHECK(log.log(eventNumber(1), scratch));
  log.configure(dir.file("b.log"), 0);
  CHECK(log.log(eventNumber(2), scratch));
  CHECK(log.log(eventNumber(3), scratch));
  log.configure(dir.file("b.log"), 0);  // unchanged: no new file
  log.pauseWriterForTest(false);
  log.flush();
  CHECK(readLines(dir.file("a.log.00000001")).size() == 1);
  CHECK(readLines(dir.file("b.log.00000001")).size() == 2);
  CHECK_FALSE(fs::exists(dir.file("b.log.00000002")));
  CHECK(log.currentFile() == dir.file("b.log.00000001"));
}

TEST_CASE("a full buffer drops and counts instead of blocking") {
  TempDir dir;
  std::string line;
  appendEventLine(line, eventNumber(0));
  EventsLog log(line.size() * 4);  // room for 4 lines
  log.configure(dir.file("events.log"), 0);
  log.flush();
  log.pauseWriterForTest(true);
  std::string scratch;
  uint64_t accepted = 0;
  for (uint64_t n = 0; n < 10; ++n) accepted += log.log(eventNumber(n), scratch) ? 1 : 0;
  CHECK(accepted == 4);
  CHECK(log.counters().dropped == 6);

  // A line that can never fit is dropped too.
  CHECK_FALSE(log.log(eventNumber(0, std::string(line.size() * 5, 'x')), scratch));
  log.pauseWriterForTest(false);
  log.flush();
  const EventsLogCounters counters = log.counters();
  CHECK(counters.queued == 4);
  CHECK(counters.written == 4);
  CHECK(counters.dropped == 7);
  CHECK(readLines(dir.file("events.log.00000001")).size() == 4);
}

TEST_CASE("the destructor writes what is queued") {
  TempDir dir;
  {
    EventsLog log;
    log.configure(dir.file("events.log"), 0);
    log.pauseWriterForTest(true);  // nothing is written before the destructor runs
    std::string scratch;
    for (uint64_t n = 0; n < 100; ++n) REQUIRE(log.log(eventNumber(n), scratch));
  }
  CHECK(readLines(dir.file("events.log.00000001")).size() == 100);
}

TEST_CASE("an unopenable file is counted and reported, never fatal") {
  TempDir dir;
  EventsLog log;
  log.configure(dir.file("missing/events.log"), 0);
  std::string scratch;
  CHECK(log.log(eventNumber(1), scratch));
  log.flush();
  const EventsLogCounters counters = log.counters();
  CHECK(counters.errors >= 1);
  CHECK(counters.dropped == 1);
  CHECK(counters.written == 0);
  CHECK(log.lastError().find("cannot open events log") != std::string::npos);
  CHECK(log.lastError().find("missing/events.log.00000001") != std::string::npos);
  CHECK(log.currentFile().empty());

  // Pointing it somewhere valid recovers.
  log.configure(dir.file("events.log"), 0);
  CHECK(log.log(eventNumber(2), scratch));
  log.flush();
  CHECK(log.counters().written == 1);
}

TEST_CASE("concurrent producers each get whole lines") {
  TempDir dir;
  constexpr int kThreads = 4;
  constexpr uint64_t kEach = 2000;
  {
    EventsLog log;
    log.configure(dir.file("events.log"), 64 * 1024);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        std::string scratch;
        for (uint64_t n = 0; n < kEach; ++n) {
          (void)log.log(eventNumber(static_cast<uint64_t>(t) * kEach + n), scratch);
        }
      });
    }
    for (auto& thread : threads) thread.join();
    log.flush();
    const EventsLogCounters counters = log.counters();
    CHECK(counters.queued + counters.dropped == kThreads * kEach);
    CHECK(counters.written == counters.queued);
  }
  std::vector<bool> seen(kThreads * kEach, false);
  uint64_t total = 0;
  for (const auto& file : numberedFiles(dir.file("events.log"))) {
    for (const auto& line : readLines(file)) {
      const auto fields = parseJsonLine(line);
      REQUIRE(fields);
      const auto n = std::stoull(fieldOf(*fields, "duration_us"));
      REQUIRE(n < seen.size());
      CHECK_FALSE(seen[n]);
      seen[n] = true;
      ++total;
    }
  }
  CHECK(total > 0);
}

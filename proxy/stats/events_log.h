// The events log: one JSON line (event_json.h) per query that matched a query rule with log=1,
// written by a background thread to mysql-eventslog_filename, rotated at
// mysql-eventslog_filesize into `<filename>.00000001`, `.00000002`, ... (rotating_file.h).
//
// Producers (worker threads) format the line into their own scratch buffer without any lock,
// then take one short lock to copy it into a byte-bounded pending buffer. They never wait for
// I/O: when the pending buffer is full the event is dropped and counted. The writer thread swaps
// the pending buffer for its (empty) batch buffer and writes the batch with one write() per
// file. Both buffers keep their capacity, so in steady state nothing is allocated.
//
// Ordering: lines appear in the order their log() calls took the lock. Events queued before a
// configure() go to the old file; events after it go to the new one.
//
// Thread-safety: every public method is thread-safe. The destructor writes everything queued,
// then joins the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proxy/stats/event_json.h"
#include "proxy/stats/rotating_file.h"

namespace rwproxy::stats {

// Bytes of formatted lines that may wait for the writer. A line longer than this is always
// dropped.
inline constexpr size_t kDefaultEventsLogBufferBytes = size_t{8} << 20;

struct EventsLogCounters {
  uint64_t queued = 0;   // accepted by log()
  uint64_t written = 0;  // lines written to a file
  uint64_t dropped = 0;  // refused by a full buffer, or lost to a file error
  uint64_t errors = 0;   // failed open() / write() calls
};

class EventsLog {
 public:
  explicit EventsLog(size_t bufferBytes = kDefaultEventsLogBufferBytes);
  ~EventsLog();
  EventsLog(const EventsLog&) = delete;
  EventsLog& operator=(const EventsLog&) = delete;

  // mysql-eventslog_filename and mysql-eventslog_filesize (bytes; 0 = never rotate). An empty
  // filename disables the log: log() then returns false at once and queues nothing. A change
  // of filename closes the current file and opens the next numbered file of the new name;
  // calling it again with the same values changes nothing.
  void configure(std::string_view filename, uint64_t filesizeBytes);
  bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }

  // Queues one event. `scratch` is the caller's reusable buffer (e.g. the worker's scratch
  // string): its capacity is kept, so a warm caller does not allocate. Returns false when the
  // log is disabled or the event was dropped.
  bool log(const LogEvent& event, std::string& scratch);

  // Waits until everything queued and configured before the call has been handled (written or
  // dropped). REQUIRES: the writer is not paused by pauseWriterForTest().
  void flush();

  EventsLogCounters counters() const;
  // The last open/write failure, "" if none.
  std::string lastError() const;
  // The file being written, "" if none.
  std::string currentFile() const;

  // While paused the writer takes nothing from the buffer (so tests can fill it).
  void pauseWriterForTest(bool paused);

 private:
  struct Config {
    std::string filename;
    uint64_t filesizeBytes = 0;
  };
  // A configure() call and where it falls in the stream of queued lines.
  struct ConfigChange {
    size_t atByte = 0;  // pending_ bytes queued before the call
    Config config;
  };

  void run();
  bool hasWorkLocked() const;
  static void apply(RotatingFile& file, Config& applied, Config next);

  const size_t bufferBytes_;
  std::atomic<bool> enabled_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the writer waits on it
  std::condition_variable done_;       // flush() waits on it
  std::string pending_;                // GUARDED_BY(mutex_): whole lines
  uint64_t pendingLines_ = 0;          // GUARDED_BY(mutex_)
  Config config_;                      // GUARDED_BY(mutex_): the latest configure()
  std::vector<ConfigChange> changes_;  // GUARDED_BY(mutex_): not yet seen by the writer
  uint64_t configVersion_ = 0;         // GUARDED_BY(mutex_)
  uint64_t appliedVersion_ = 0;        // GUARDED_BY(mutex_): config the writer has opened
  uint64_t handledLines_ = 0;          // GUARDED_BY(mutex_): written or dropped by the writer
  EventsLogCounters counters_;         // GUARDED_BY(mutex_)
  std::string lastError_;              // GUARDED_BY(mutex_)
  std::string currentFile_;            // GUARDED_BY(mutex_)
  bool paused_ = false;                // GUARDED_BY(mutex_)
  bool stopping_ = false;              // GUARDED_BY(mutex_)

  std::thread writer_;  // last: starts after everything above is constructed
};

}  // namespace rwproxy::stats

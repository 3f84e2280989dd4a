// The events log's queue and writer thread. One mutex guards the pending buffer, the config and
// the counters; producers hold it only for a memcpy, the writer only to swap buffers and to
// publish counters, never across I/O.
#include "proxy/stats/events_log.h"

#include <utility>

namespace rwproxy::stats {

EventsLog::EventsLog(size_t bufferBytes) : bufferBytes_(bufferBytes), writer_([this] { run(); }) {}

EventsLog::~EventsLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void EventsLog::configure(std::string_view filename, uint64_t filesizeBytes) {
  {
    std::lock_guard lock(mutex_);
    if (filename == config_.filename && filesizeBytes == config_.filesizeBytes) return;
    config_ = Config{.filename = std::string(filename), .filesizeBytes = filesizeBytes};
    // Lines queued so far belong to the file open now, later ones to the new file.
    changes_.push_back(ConfigChange{.atByte = pending_.size(), .config = config_});
    ++configVersion_;
    enabled_.store(!filename.empty(), std::memory_order_relaxed);
  }
  wake_.notify_one();
}

bool EventsLog::log(const LogEvent& event, std::string& scratch) {
  if (!enabled()) return false;
  scratch.clear();
  appendEventLine(scratch, event);
  bool wasEmpty = false;
  {
    std::lock_guard lock(mutex_);
    if (config_.filename.empty()) return false;  // disabled since the check above
    if (scratch.size() > bufferBytes_ - pending_.size()) {
      ++counters_.dropped;
      return false;
    }
    wasEmpty = pending_.empty();
    pending_.append(scratch);
    ++pendingLines_;
    ++counters_.queued;
  }
  // The writer only sleeps on an empty buffer, so waking it once per batch is enough.
  if (wasEmpty) wake_.notify_one();
  return true;
}

void EventsLog::flush() {
  std::unique_lock lock(mutex_);
  const uint64_t lines = counters_.queued;
  const uint64_t version = configVersion_;
  done_.wait(lock, [&] { return handledLines_ >= lines && appliedVersion_ >= version; });
}

EventsLogCounters EventsLog::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::string EventsLog::lastError() const {
  std::lock_guard lock(mutex_);
  return lastError_;
}

std::string EventsLog::currentFile() const {
  std::lock_guard lock(mutex_);
  return currentFile_;
}

void EventsLog::pauseWriterForTest(bool paused) {
  {
    std::lock_guard lock(mutex_);
    paused_ = paused;
  }
  wake_.notify_one();
}

bool EventsLog::hasWorkLocked() const {
  if (stopping_) return true;
  return !paused_ && (!pending_.empty() || !changes_.empty());
}

void EventsLog::apply(RotatingFile& file, Config& applied, Config next) {
  if (next.filename == applied.filename) {
    file.setLimit(next.filesizeBytes);
  } else {
    file.configure(next.filename, next.filesizeBytes);
  }
  applied = std::move(next);
}

void EventsLog::run() {
  RotatingFile file;
  Config applied;
  std::string batch;  // swapped with pending_: both keep their capacity
  std::vector<ConfigChange> changes;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return hasWorkLocked(); });
    if (stopping_ && pending_.empty() && changes_.empty()) break;

    const uint64_t version = configVersion_;
    const uint64_t lines = pendingLines_;
    batch.swap(pending_);
    pendingLines_ = 0;
    changes.swap(changes_);
    lock.unlock();

    const std::string_view all(batch);
    RotatingFile::WriteResult total;
    const auto write = [&](std::string_view part) {
      const RotatingFile::WriteResult result = file.writeLines(part);
      total.linesWritten += result.linesWritten;
      total.linesDropped += result.linesDropped;
    };
    size_t at = 0;
    for (ConfigChange& change : changes) {
      write(all.substr(at, change.atByte - at));
      at = change.atByte;
      apply(file, applied, std::move(change.config));
    }
    write(all.substr(at));
    batch.clear();
    changes.clear();

    lock.lock();
    counters_.written += total.linesWritten;
    counters_.dropped += total.linesDropped;
    counters_.errors = file.errors();
    if (lastError_ != file.lastError()) lastError_ = file.lastError();
    if (currentFile_ != file.path()) currentFile_ = file.path();
    handledLines_ += lines;
    appliedVersion_ = version;
    done_.notify_all();
  }
}

}  // namespace rwproxy::stats

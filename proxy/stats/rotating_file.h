// An append-only file of text lines that rotates by size, ProxySQL style: lines go to
// `<base>.00000001`, then `<base>.00000002`, ... A file is closed after the line that takes it
// past the size limit (so a file holds at most one line beyond the limit, and a line is never
// split across files). Numbering resumes after the highest `<base>.NNNNNNNN` already on disk, so
// a restart or a reconfiguration never overwrites an earlier file. Old files are never deleted:
// that is left to the operator (logrotate, a cron job).
//
// Failures (open, write) are counted and described by lastError(); the lines concerned are
// dropped. After a failed open, the next attempt waits kRetryInterval, so a missing directory
// costs one open() per interval, not one per batch.
//
// Thread-safety: none; owned by the events log's writer thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace rwproxy::stats {

class RotatingFile {
 public:
  static constexpr std::chrono::seconds kRetryInterval{1};

  struct WriteResult {
    uint64_t linesWritten = 0;
    uint64_t linesDropped = 0;
  };

  RotatingFile() = default;
  ~RotatingFile();
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;

  // Closes the current file and, unless `base` is empty, opens the next numbered file of `base`.
  // limitBytes 0 means no rotation.
  void configure(std::string_view base, uint64_t limitBytes);

  // Changes the size limit of the current and later files, without rotating now.
  void setLimit(uint64_t limitBytes) noexcept { limitBytes_ = limitBytes; }

  // Appends whole lines (`lines` is empty or ends with '\n'), rotating as needed.
  WriteResult writeLines(std::string_view lines);

  const std::string& path() const noexcept { return path_; }  // "" when no file is open
  uint64_t errors() const noexcept { return errors_; }
  const std::string& lastError() const noexcept { return lastError_; }

  // "<base>.00000007" for index 7.
  static std::string numberedPath(std::string_view base, uint32_t index);
  // The highest N of the existing `<base>.NNNNNNNN` files, 0 if none.
  static uint32_t highestExistingIndex(std::string_view base);

 private:
  bool open();
  void close();
  void fail(std::string_view what, int error);

  std::string base_;
  uint64_t limitBytes_ = 0;
  uint32_t index_ = 0;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
  std::chrono::steady_clock::time_point retryAt_{};
  uint64_t errors_ = 0;
  std::string lastError_;
};

}  // namespace rwproxy::stats

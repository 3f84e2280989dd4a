// Size-rotated line file for the events log. Plain POSIX calls: O_APPEND so that a file someone
// else also appends to (or one left from an earlier run with the same number) is never
// overwritten, and write() loops over short writes and EINTR.
#include "proxy/stats/rotating_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace rwproxy::stats {
namespace {

constexpr size_t kIndexDigits = 8;

uint64_t countLines(std::string_view text) {
  return static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

// Writes all of `bytes`; returns 0 or the errno of the failure.
int writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

RotatingFile::~RotatingFile() { close(); }

std::string RotatingFile::numberedPath(std::string_view base, uint32_t index) {
  return fmt::format("{}.{:08d}", base, index);
}

uint32_t RotatingFile::highestExistingIndex(std::string_view base) {
  namespace fs = std::filesystem;
  const fs::path basePath(base);
  const std::string prefix = basePath.filename().string() + ".";
  fs::path dir = basePath.parent_path();
  if (dir.empty()) dir = ".";

  uint32_t highest = 0;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + kIndexDigits || !name.starts_with(prefix)) continue;
    uint32_t index = 0;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    const auto parsed = std::from_chars(first, last, index);
    if (parsed.ec == std::errc() && parsed.ptr == last) highest = std::max(highest, index);
  }
  return highest;
}

void RotatingFile::configure(std::string_view base, uint64_t limitBytes) {
  close();
  base_ = std::string(base);
  limitBytes_ = limitBytes;
  retryAt_ = {};
  if (base_.empty()) return;
  index_ = highestExistingIndex(base_) + 1;
  open();
}

bool RotatingFile::open() {
  if (fd_ >= 0) return true;
  if (base_.empty()) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now < retryAt_) return false;

  std::string path = numberedPath(base_, index_);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    fail(fmt::format("cannot open events log {}", path), errno);
    retryAt_ = now + kRetryInterval;
    return false;
  }
  struct stat info {};
  size_ = ::fstat(fd, &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
  fd_ = fd;
  path_ = std::move(path);
  return true;
}

void RotatingFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  size_ = 0;
  path_.clear();
}

void RotatingFile::fail(std::string_view what, int error) {
  ++errors_;
  lastError_ = fmt::format("{}: {}", what, std::generic_category().message(error));
}

RotatingFile::WriteResult RotatingFile::writeLines(std::string_view lines) {
  WriteResult result;
  while (!lines.empty()) {
    if (!open()) {
      result.linesDropped += countLines(lines);
      break;
    }
    size_t take = lines.size();
    if (limitBytes_ > 0 && size_ + take > limitBytes_) {
      // The line that ends past the limit is the last one of this file.
      const size_t room = limitBytes_ > size_ ? static_cast<size_t>(limitBytes_ - size_) : 0;
      const size_t end = lines.find('\n', room);
      if (end != std::string_view::npos) take = end + 1;
    }
    const std::string_view chunk = lines.substr(0, take);
    if (const int error = writeAll(fd_, chunk); error != 0) {
      fail(fmt::format("cannot write events log {}", path_), error);
      result.linesDropped += countLines(lines);
      close();
      retryAt_ = std::chrono::steady_clock::now() + kRetryInterval;
      break;
    }
    result.linesWritten += countLines(chunk);
    size_ += take;
    lines.remove_prefix(take);
    if (limitBytes_ > 0 && size_ > limitBytes_) {
      close();
      ++index_;
    }
  }
  return result;
}

}  // namespace rwproxy::stats

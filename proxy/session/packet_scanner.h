#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

namespace rwproxy::session {

// Finds physical packet boundaries in a byte stream that arrives in arbitrary slices, keeping
// only a packet's 4-byte header and the first kPrefix bytes of its payload: enough to classify
// it while the bytes themselves are streamed on untouched. Pure; no allocation.
template <size_t kPrefix>
class PacketScanner {
 public:
  // Calls onPacket(length, sequenceId, prefix) for every packet that completes in `data`;
  // when it returns true, scanning stops right after that packet. Returns the bytes consumed.
  template <typename OnPacket>
  size_t scan(std::span<const uint8_t> data, OnPacket&& onPacket) {
    size_t pos = 0;
    while (pos < data.size()) {
      if (headerHave_ < 4) {
        size_t take = std::min<size_t>(4 - headerHave_, data.size() - pos);
        std::memcpy(header_ + headerHave_, data.data() + pos, take);
        headerHave_ += take;
        pos += take;
        if (headerHave_ < 4) {
          break;
        }
        length_ = header_[0] | (header_[1] << 8) | (header_[2] << 16);
        bodyLeft_ = length_;
        prefixHave_ = 0;
      }
      size_t take = std::min<size_t>(bodyLeft_, data.size() - pos);
      if (prefixHave_ < kPrefix) {
        size_t copy = std::min(take, kPrefix - prefixHave_);
        std::memcpy(prefix_ + prefixHave_, data.data() + pos, copy);
        prefixHave_ += copy;
      }
      pos += take;
      bodyLeft_ -= static_cast<uint32_t>(take);
      if (bodyLeft_ > 0) {
        break;
      }
      headerHave_ = 0;
      if (onPacket(length_, header_[3], std::span<const uint8_t>(prefix_, prefixHave_))) {
        return pos;
      }
    }
    return pos;
  }

  // True between packets (no partial header or body pending).
  bool atBoundary() const { return headerHave_ == 0; }
  void reset() { headerHave_ = 0; }

 private:
  uint8_t header_[4] = {};
  size_t headerHave_ = 0;
  uint32_t length_ = 0;
  uint32_t bodyLeft_ = 0;
  uint8_t prefix_[kPrefix] = {};
  size_t prefixHave_ = 0;
};

}  // namespace rwproxy::session

#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace rwproxy::session {

// Finds physical packet boundaries in a byte stream that arrives in arbitrary slices, keeping
// only a packet's 4-byte header and the first kPrefix bytes of its payload: enough to classify
// it while the bytes themselves are streamed on untouched. The packets a caller asks for (an OK
// that may carry session state) are kept whole up to kWholeLimit bytes, in one buffer that is
// reused: it allocates only to grow that buffer. Pure otherwise.
template <size_t kPrefix>
class PacketScanner {
 public:
  static constexpr size_t kWholeLimit = 4096;

  // Calls onPacket(length, sequenceId, prefix) for every packet that completes in `data`;
  // when it returns true, scanning stops right after that packet. Returns the bytes consumed.
  template <typename OnPacket>
  size_t scan(std::span<const uint8_t> data, OnPacket&& onPacket) {
    return scan(data, onPacket, [](uint32_t, uint8_t) { return false; });
  }

  // As above, but a packet of at most kWholeLimit payload bytes for which
  // keepWhole(length, firstPayloadByte) returns true (asked when that byte arrives) reaches
  // onPacket whole instead of cut to kPrefix bytes. The span is valid during the call only.
  template <typename OnPacket, typename KeepWhole>
  size_t scan(std::span<const uint8_t> data, OnPacket&& onPacket, KeepWhole&& keepWhole) {
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
        keeping_ = false;
      }
      size_t take = std::min<size_t>(bodyLeft_, data.size() - pos);
      if (take > 0 && bodyLeft_ == length_) {
        keeping_ = length_ <= kWholeLimit && keepWhole(length_, data[pos]);
        if (keeping_) {
          whole_.clear();
        }
      }
      if (keeping_) {
        whole_.insert(whole_.end(), data.data() + pos, data.data() + pos + take);
      }
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
      std::span<const uint8_t> payload = keeping_ ? std::span<const uint8_t>(whole_)
                                                  : std::span<const uint8_t>(prefix_, prefixHave_);
      if (onPacket(length_, header_[3], payload)) {
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
  bool keeping_ = false;        // the packet in progress goes to whole_
  std::vector<uint8_t> whole_;  // capacity kept from packet to packet
};

}  // namespace rwproxy::session

// Error and Result<T>: how every fallible codec call reports failure (no exceptions in proxy/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rwproxy::protocol {

// A MySQL error: errno, 5-character SQLSTATE and message. A session can turn it into an ERR
// packet as is (see ErrPacket::fromError in err_packet.h).
struct Error {
  uint16_t code = 0;
  std::string sqlState;
  std::string message;

  // Bytes that do not parse. We answer with the server error ER_MALFORMED_PACKET (1835, HY000)
  // rather than the client library's CR_MALFORMED_PACKET (2027): the proxy plays the server
  // towards its clients, and a server-range code is what a client expects in an ERR packet.
  static Error malformed(std::string_view what);
  // A logical packet larger than the limit: ER_NET_PACKET_TOO_LARGE (1153, 08S01).
  static Error packetTooLarge(std::string_view what);
  // A sequence id that is not the expected one: ER_NET_PACKETS_OUT_OF_ORDER (1156, 08S01).
  static Error outOfOrder(std::string_view what);
  // A well-formed request we do not implement: ER_UNKNOWN_COM_ERROR (1047, 08S01).
  static Error unsupported(std::string_view what);

  friend bool operator==(const Error&, const Error&) = default;
};

inline Error Error::malformed(std::string_view what) {
  return Error{1835, "HY000", "Malformed communication packet: " + std::string(what)};
}
inline Error Error::packetTooLarge(std::string_view what) {
  return Error{1153, "08S01",
               "Got a packet bigger than 'max_allowed_packet' bytes: " + std::string(what)};
}
inline Error Error::outOfOrder(std::string_view what) {
  return Error{1156, "08S01", "Got packets out of order: " + std::string(what)};
}
inline Error Error::unsupported(std::string_view what) {
  return Error{1047, "08S01", "Unknown command: " + std::string(what)};
}

// A value or an Error. Accessing value() of an error (or error() of a value) is a programming
// error; the std::variant accessors used here make it crash loudly rather than read garbage.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Success or an Error, for calls that produce no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return error_.value(); }
  Error&& error() && { return std::move(error_.value()); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace rwproxy::protocol

#pragma once

// Error and result types of the control plane. No exceptions cross admin/'s API: every fallible
// call returns a Status or a Result<T>. A Failure carries a MySQL error number and SQLSTATE so
// the admin listener can turn it 1:1 into an ERR packet.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace rwproxy::admin {

// MySQL error numbers the admin dialect answers with.
inline constexpr uint16_t kErUnknownError = 1105;           // generic, SQLSTATE HY000
inline constexpr uint16_t kErUnknownSystemVariable = 1193;  // SQLSTATE HY000
inline constexpr uint16_t kErWrongValueForVar = 1231;       // SQLSTATE 42000

struct Failure {
  uint16_t code = kErUnknownError;
  std::string sqlState = "HY000";
  std::string message;
};

inline Failure makeFailure(std::string message, uint16_t code = kErUnknownError,
                           std::string sqlState = "HY000") {
  return Failure{code, std::move(sqlState), std::move(message)};
}

// Success, or a Failure.
class [[nodiscard]] Status {
 public:
  Status() = default;                                        // success
  Status(Failure failure) : failure_(std::move(failure)) {}  // NOLINT: implicit on purpose

  static Status ok() { return Status(); }
  bool isOk() const { return !failure_.has_value(); }
  // REQUIRES: !isOk()
  const Failure& failure() const { return *failure_; }
  const std::string& message() const { return failure_->message; }

 private:
  std::optional<Failure> failure_;
};

// A value of type T, or a Failure.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit on purpose
  Result(Failure failure) : v_(std::move(failure)) {}  // NOLINT: implicit on purpose
  Result(Status status) : v_(status.failure()) {}      // NOLINT; REQUIRES: !status.isOk()

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  // REQUIRES: isOk()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  // REQUIRES: !isOk()
  const Failure& failure() const { return std::get<Failure>(v_); }
  Status status() const { return isOk() ? Status() : Status(failure()); }

 private:
  std::variant<T, Failure> v_;
};

}  // namespace rwproxy::admin

#include "admin/row_reader.h"

#include <fmt/format.h>

#include <charconv>

namespace rwproxy::admin {

RowReader::RowReader(std::string_view table, const ResultSet& rs, const Row& row,
                     std::vector<std::string_view> key)
    : table_(table), rs_(rs), row_(row), key_(std::move(key)) {}

const std::optional<std::string>* RowReader::cell(std::string_view column) {
  for (size_t i = 0; i < rs_.columns.size() && i < row_.size(); ++i) {
    if (rs_.columns[i] == column) return &row_[i];
  }
  fail(column, "no such column");
  return nullptr;
}

std::optional<int64_t> RowReader::optInteger(std::string_view column, int64_t min, int64_t max) {
  const auto* c = cell(column);
  if (c == nullptr || !c->has_value()) return std::nullopt;
  const std::string& s = **c;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    fail(column, fmt::format("expected an integer, got '{}'", s));
    return std::nullopt;
  }
  if (v < min || v > max) {
    fail(column, fmt::format("{} is out of range [{}, {}]", v, min, max));
    return std::nullopt;
  }
  return v;
}

int64_t RowReader::integer(std::string_view column, int64_t min, int64_t max) {
  const auto* c = cell(column);
  if (c != nullptr && !c->has_value()) {
    fail(column, "must not be NULL");
    return 0;
  }
  return optInteger(column, min, max).value_or(0);
}

std::optional<std::string> RowReader::optText(std::string_view column) {
  const auto* c = cell(column);
  return c == nullptr ? std::nullopt : *c;
}

void RowReader::fail(std::string_view column, std::string_view problem) {
  if (!failure_) {
    failure_ = makeFailure(fmt::format("{}: column {}: {}", rowName(), column, problem));
  }
}

std::string RowReader::rowName() const {
  std::string keys;
  for (std::string_view k : key_) {
    std::string value = "NULL";
    for (size_t i = 0; i < rs_.columns.size() && i < row_.size(); ++i) {
      if (rs_.columns[i] == k && row_[i]) value = fmt::format("'{}'", *row_[i]);
    }
    keys += fmt::format("{}{}={}", keys.empty() ? "" : ", ", k, value);
  }
  return fmt::format("{} row ({})", table_, keys);
}

}  // namespace rwproxy::admin

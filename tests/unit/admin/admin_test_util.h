#pragma once

// Helpers shared by the admin unit tests: temp datadirs, and unwrapping AdminReply.

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "admin/admin_executor.h"
#include "admin/config_store.h"

namespace rwproxy::admin::test {

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rwproxy-admin-test-XXXXXX";
    const char* p = mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline std::string describe(const AdminReply& reply) {
  if (const auto* f = std::get_if<Failure>(&reply)) {
    return "Failure " + std::to_string(f->code) + " " + f->sqlState + ": " + f->message;
  }
  if (std::holds_alternative<Ok>(reply)) return "Ok";
  return "ResultSet";
}

inline ResultSet requireRows(const AdminReply& reply) {
  INFO(describe(reply));
  REQUIRE(std::holds_alternative<ResultSet>(reply));
  return std::get<ResultSet>(reply);
}

inline Ok requireOk(const AdminReply& reply) {
  INFO(describe(reply));
  REQUIRE(std::holds_alternative<Ok>(reply));
  return std::get<Ok>(reply);
}

inline Failure requireFailure(const AdminReply& reply) {
  INFO(describe(reply));
  REQUIRE(std::holds_alternative<Failure>(reply));
  return std::get<Failure>(reply);
}

// The single value a query returns (nullopt for NULL or no row).
inline std::optional<std::string> scalar(AdminExecutor& exec, const std::string& sql) {
  ResultSet rs = requireRows(exec.execute(sql));
  if (rs.rows.empty()) return std::nullopt;
  return rs.rows[0].at(0);
}

inline ConfigStore openStore(const std::string& datadir, const std::string& configFile = "",
                             bool initial = false) {
  auto store = ConfigStore::open(datadir, configFile, initial);
  INFO((store ? std::string("ok") : store.failure().message));
  REQUIRE(store.isOk());
  return std::move(store).value();
}

// A store in a temp datadir with an executor whose publications are recorded.
struct Fixture {
  TempDir dir;
  ConfigStore store = openStore(dir.path());
  std::vector<config::RuntimePtr> published;
  std::vector<AdminRuntimePtr> publishedAdmin;
  AdminExecutor exec{store, AdminHooks{
                                [this](config::RuntimePtr r) { published.push_back(r); },
                                [this](AdminRuntimePtr a) { publishedAdmin.push_back(a); },
                                {},
                                {},
                                {},
                                {},
                            }};

  AdminReply run(const std::string& sql) { return exec.execute(sql); }
  void ok(const std::string& sql) { requireOk(exec.execute(sql)); }
};

}  // namespace rwproxy::admin::test

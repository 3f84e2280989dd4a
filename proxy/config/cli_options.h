#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rwproxy::config {

// The command line, per the contract in DESIGN.md:
//   rwproxy [--config FILE] [--datadir DIR] [--initial] [--admin ADDR:PORT]
//           [--listen ADDR:PORT] [--threads N] [--version] [--help]
struct CliOptions {
  std::string configFile;  // empty: none
  std::string datadir = "/var/lib/rwproxy";
  bool initial = false;
  std::optional<std::string> admin;   // overrides admin-mysql_ifaces
  std::optional<std::string> listen;  // overrides mysql-interfaces
  std::optional<int> threads;         // overrides mysql-threads
  bool version = false;
  bool help = false;
};

// Parses argv (without argv[0]). On error returns nullopt and sets `error` to a sentence that
// names the offending argument.
std::optional<CliOptions> parseCli(const std::vector<std::string>& args, std::string& error);

const char* cliUsage();

}  // namespace rwproxy::config

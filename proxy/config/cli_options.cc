#include "proxy/config/cli_options.h"

#include <charconv>

namespace rwproxy::config {

namespace {

bool looksLikeHostPort(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) {
    return false;
  }
  int port = -1;
  auto [ptr, ec] = std::from_chars(v.data() + colon + 1, v.data() + v.size(), port);
  return ec == std::errc() && ptr == v.data() + v.size() && port >= 0 && port <= 65535;
}

}  // namespace

const char* cliUsage() {
  return "usage: rwproxy [--config FILE] [--datadir DIR] [--initial] [--admin ADDR:PORT]\n"
         "               [--listen ADDR:PORT] [--threads N] [--version] [--help]\n"
         "\n"
         "  --config FILE      admin SQL script applied when the datadir has no rwproxy.db yet\n"
         "                     (or with --initial)\n"
         "  --datadir DIR      where rwproxy.db lives (default /var/lib/rwproxy)\n"
         "  --initial          rebuild the configuration from --config, replacing rwproxy.db\n"
         "  --admin ADDR:PORT  admin interface (overrides admin-mysql_ifaces; default\n"
         "                     127.0.0.1:6032)\n"
         "  --listen ADDR:PORT application interface (overrides mysql-interfaces; default\n"
         "                     0.0.0.0:6033)\n"
         "  --threads N        worker threads (overrides mysql-threads; default: CPU count)\n"
         "  --version          print the version and exit\n"
         "  --help             print this help and exit\n";
}

std::optional<CliOptions> parseCli(const std::vector<std::string>& args, std::string& error) {
  CliOptions out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string name = arg;
    std::optional<std::string> inlineValue;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inlineValue = arg.substr(eq + 1);
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inlineValue) {
        return inlineValue;
      }
      if (i + 1 >= args.size()) {
        error = name + " needs a value";
        return std::nullopt;
      }
      return args[++i];
    };
    if (name == "--version" || name == "-V") {
      out.version = true;
    } else if (name == "--help" || name == "-h") {
      out.help = true;
    } else if (name == "--initial") {
      out.initial = true;
    } else if (name == "--config" || name == "-c") {
      auto v = value();
      if (!v) return std::nullopt;
      out.configFile = *v;
    } else if (name == "--datadir" || name == "-D") {
      auto v = value();
      if (!v) return std::nullopt;
      if (v->empty()) {
        error = "--datadir must not be empty";
        return std::nullopt;
      }
      out.datadir = *v;
    } else if (name == "--admin" || name == "--listen") {
      auto v = value();
      if (!v) return std::nullopt;
      if (!looksLikeHostPort(*v)) {
        error = name + " expects ADDR:PORT, got '" + *v + "'";
        return std::nullopt;
      }
      (name == "--admin" ? out.admin : out.listen) = *v;
    } else if (name == "--threads") {
      auto v = value();
      if (!v) return std::nullopt;
      int n = 0;
      auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || ptr != v->data() + v->size() || n < 1 || n > 256) {
        error = "--threads expects a number from 1 to 256, got '" + *v + "'";
        return std::nullopt;
      }
      out.threads = n;
    } else {
      error = "unknown argument '" + arg + "'";
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace rwproxy::config

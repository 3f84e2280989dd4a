#include "proxy/config/cli_options.h"

#include <catch2/catch.hpp>

using rwproxy::config::parseCli;

TEST_CASE("cli defaults follow the contract") {
  std::string error;
  auto opts = parseCli({}, error);
  REQUIRE(opts);
  CHECK(opts->datadir == "/var/lib/rwproxy");
  CHECK(opts->configFile.empty());
  CHECK_FALSE(opts->initial);
  CHECK_FALSE(opts->admin);
  CHECK_FALSE(opts->listen);
  CHECK_FALSE(opts->threads);
}

TEST_CASE("cli parses every flag, with spaces or =") {
  std::string error;
  auto opts = parseCli({"--config", "/etc/rwproxy/rwproxy.cnf", "--datadir=/tmp/d", "--initial",
                        "--admin", "127.0.0.1:7032", "--listen=0.0.0.0:7033", "--threads", "3"},
                       error);
  REQUIRE(opts);
  CHECK(opts->configFile == "/etc/rwproxy/rwproxy.cnf");
  CHECK(opts->datadir == "/tmp/d");
  CHECK(opts->initial);
  CHECK(*opts->admin == "127.0.0.1:7032");
  CHECK(*opts->listen == "0.0.0.0:7033");
  CHECK(*opts->threads == 3);
  CHECK(parseCli({"--version"}, error)->version);
  CHECK(parseCli({"--help"}, error)->help);
}

TEST_CASE("cli rejects bad input with a message naming it") {
  std::string error;
  CHECK_FALSE(parseCli({"--bogus"}, error));
  CHECK(error.find("--bogus") != std::string::npos);
  CHECK_FALSE(parseCli({"--threads", "0"}, error));
  CHECK(error.find("--threads") != std::string::npos);
  CHECK_FALSE(parseCli({"--threads", "x"}, error));
  CHECK_FALSE(parseCli({"--listen", "6033"}, error));
  CHECK(error.find("ADDR:PORT") != std::string::npos);
  CHECK_FALSE(parseCli({"--listen", "host:99999"}, error));
  CHECK_FALSE(parseCli({"--config"}, error));
  CHECK(error.find("needs a value") != std::string::npos);
  CHECK_FALSE(parseCli({"--datadir="}, error));
}

#pragma once

#include <docopt/docopt.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "throng/common/error.hpp"

namespace throng {

// Resolves one service's settings from, in order of precedence: the command line
// (--http-port), the environment (THRONG_HTTP_PORT), the YAML config file
// (http_port: ...), then the built-in default. Keys are snake_case.
class ConfigSource {
 public:
  // Reads --config=<file> (or THRONG_CONFIG) if given; fails on an unreadable or invalid file.
  static Result<ConfigSource> Load(const std::map<std::string, docopt::value>& args);

  std::string GetString(const std::string& key, const std::string& fallback) const;
  // Fails with a message naming the key and its source when the value is not an integer.
  Result<long> GetInt(const std::string& key, long fallback) const;
  Result<double> GetDouble(const std::string& key, double fallback) const;
  // A TCP port, 0-65535 (0: any free port).
  Result<int> GetPort(const std::string& key, int fallback) const;
  // A duration given in (possibly fractional) seconds, within [min_seconds, max_seconds].
  Result<std::chrono::milliseconds> GetSeconds(const std::string& key, double fallback,
                                               double min_seconds = 0.001,
                                               double max_seconds = 86400.0) const;
  std::optional<std::string> Find(const std::string& key) const;

 private:
  std::map<std::string, docopt::value> args_;
  YAML::Node file_;
};

// "host:pid", the default instance id of a process in metrics and logs.
std::string DefaultInstanceId();

}  // namespace throng

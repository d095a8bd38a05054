#include "throng/common/config_source.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace throng {

namespace {

std::string OptionName(const std::string& key) {
  std::string name = "--" + key;
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string EnvName(const std::string& key) {
  std::string name = "THRONG_" + key;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::toupper(c));
  });
  return name;
}

}  // namespace

Result<ConfigSource> ConfigSource::Load(const std::map<std::string, docopt::value>& args) {
  ConfigSource source;
  source.args_ = args;
  std::string path;
  if (auto it = args.find("--config"); it != args.end() && it->second.isString()) {
    path = it->second.asString();
  } else if (const char* env = std::getenv("THRONG_CONFIG"); env && *env) {
    path = env;
  }
  if (!path.empty()) {
    std::ifstream probe(path);
    if (!probe) return Fail("cannot read config file '" + path + "'");
    try {
      source.file_ = YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
      return Fail("config file '" + path + "' is not valid YAML: " + e.what());
    }
    if (source.file_ && !source.file_.IsNull() && !source.file_.IsMap()) {
      return Fail("config file '" + path + "' must be a mapping of keys to values");
    }
  }
  return source;
}

std::optional<std::string> ConfigSource::Find(const std::string& key) const {
  if (auto it = args_.find(OptionName(key)); it != args_.end()) {
    if (it->second.isString()) return it->second.asString();
    if (it->second.isBool() && it->second.asBool()) return std::string("true");
  }
  if (const char* env = std::getenv(EnvName(key).c_str()); env && *env) return std::string(env);
  if (file_ && file_.IsMap()) {
    auto node = file_[key];
    if (node && node.IsScalar()) return node.as<std::string>();
  }
  return std::nullopt;
}

std::string ConfigSource::GetString(const std::string& key, const std::string& fallback) const {
  return Find(key).value_or(fallback);
}

Result<long> ConfigSource::GetInt(const std::string& key, long fallback) const {
  auto text = Find(key);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    long value = std::stol(*text, &used);
    if (used != text->size()) throw std::invalid_argument("trailing characters");
    return value;
  } catch (const std::exception&) {
    return Fail("setting '" + key + "' must be an integer, got '" + *text + "' (set " +
                OptionName(key) + " or " + EnvName(key) + ")");
  }
}

Result<double> ConfigSource::GetDouble(const std::string& key, double fallback) const {
  auto text = Find(key);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    double value = std::stod(*text, &used);
    if (used != text->size()) throw std::invalid_argument("trailing characters");
    return value;
  } catch (const std::exception&) {
    return Fail("setting '" + key + "' must be a number, got '" + *text + "' (set " +
                OptionName(key) + " or " + EnvName(key) + ")");
  }
}

Result<int> ConfigSource::GetPort(const std::string& key, int fallback) const {
  auto value = GetInt(key, fallback);
  if (!value) return tl::unexpected(value.error());
  if (*value < 0 || *value > 65535) {
    return Fail("setting '" + key + "' must be a port number 0-65535, got " +
                std::to_string(*value));
  }
  return static_cast<int>(*value);
}

Result<std::chrono::milliseconds> ConfigSource::GetSeconds(const std::string& key, double fallback,
                                                           double min_seconds,
                                                           double max_seconds) const {
  auto value = GetDouble(key, fallback);
  if (!value) return tl::unexpected(value.error());
  if (!(*value >= min_seconds && *value <= max_seconds)) {
    return Fail("setting '" + key + "' must be between " + std::to_string(min_seconds) + " and " +
                std::to_string(max_seconds) + " seconds");
  }
  return std::chrono::milliseconds(static_cast<long>(*value * 1000));
}

std::string DefaultInstanceId() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace throng

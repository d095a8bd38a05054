#include "aggregator_config.hpp"

#include <unistd.h>

#include <algorithm>

namespace throng::aggregator {

namespace {

std::string Trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool IsServiceName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Reads a duration given in (possibly fractional) seconds.
Result<std::chrono::milliseconds> GetSeconds(const ConfigSource& source, const std::string& key,
                                             double fallback) {
  auto seconds = source.GetDouble(key, fallback);
  if (!seconds) return tl::unexpected(seconds.error());
  if (!(*seconds >= 0.01 && *seconds <= 3600)) {
    return Fail(key + " must be between 0.01 and 3600 seconds");
  }
  return std::chrono::milliseconds(static_cast<long>(*seconds * 1000));
}

}  // namespace

Result<std::vector<std::string>> ParseServiceList(const std::string& text) {
  std::vector<std::string> services;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    auto name = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (name.empty()) continue;
    if (!IsServiceName(name)) {
      return Fail("services: '" + name + "' is not a valid service name (use a-z, 0-9, _ and -)");
    }
    if (std::find(services.begin(), services.end(), name) != services.end()) {
      return Fail("services: '" + name + "' is listed twice");
    }
    services.push_back(name);
  }
  if (services.empty()) return Fail("services must name at least one service");
  return services;
}

Result<AggregatorConfig> LoadAggregatorConfig(const ConfigSource& source) {
  AggregatorConfig config;
  config.listen_address = source.GetString("listen_address", config.listen_address);
  config.redis_url = source.GetString("redis_url", config.redis_url);
  config.metrics_prefix = source.GetString("metrics_prefix", config.metrics_prefix);
  config.log_level = source.GetString("log_level", config.log_level);
  config.log_format = source.GetString("log_format", config.log_format);
  if (config.metrics_prefix.empty()) return Fail("metrics_prefix must not be empty");

  auto port = source.GetInt("port", config.port);
  if (!port) return tl::unexpected(port.error());
  if (*port < 0 || *port > 65535) return Fail("port must be 0-65535");
  config.port = static_cast<int>(*port);

  if (auto services = source.Find("services")) {
    auto parsed = ParseServiceList(*services);
    if (!parsed) return tl::unexpected(parsed.error());
    config.services = std::move(*parsed);
  }

  auto refresh = GetSeconds(source, "refresh_interval", 1.0);
  if (!refresh) return tl::unexpected(refresh.error());
  config.refresh_interval = *refresh;
  auto metrics = GetSeconds(source, "metrics_interval", 5.0);
  if (!metrics) return tl::unexpected(metrics.error());
  config.metrics_interval = *metrics;

  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  config.instance_id =
      source.GetString("instance_id", std::string(host) + ":" + std::to_string(getpid()));
  if (config.instance_id.empty()) return Fail("instance_id must not be empty");
  return config;
}

}  // namespace throng::aggregator

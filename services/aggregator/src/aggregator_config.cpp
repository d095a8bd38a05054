#include "aggregator_config.hpp"

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

  auto port = source.GetPort("port", config.port);
  if (!port) return tl::unexpected(port.error());
  config.port = *port;

  if (auto services = source.Find("services")) {
    auto parsed = ParseServiceList(*services);
    if (!parsed) return tl::unexpected(parsed.error());
    config.services = std::move(*parsed);
  }

  auto refresh = source.GetSeconds("refresh_interval", 1.0, 0.01, 3600);
  if (!refresh) return tl::unexpected(refresh.error());
  config.refresh_interval = *refresh;
  auto max_stale = source.GetSeconds("max_stale", 300.0, 0.01, 86400);
  if (!max_stale) return tl::unexpected(max_stale.error());
  config.max_stale = *max_stale;
  auto restart_hold = source.GetSeconds("restart_hold", 0.0, 0.0, 86400);
  if (!restart_hold) return tl::unexpected(restart_hold.error());
  config.restart_hold = *restart_hold;
  auto metrics = source.GetSeconds("metrics_interval", 5.0, 0.01, 3600);
  if (!metrics) return tl::unexpected(metrics.error());
  config.metrics_interval = *metrics;

  config.instance_id = source.GetString("instance_id", DefaultInstanceId());
  if (config.instance_id.empty()) return Fail("instance_id must not be empty");
  return config;
}

}  // namespace throng::aggregator

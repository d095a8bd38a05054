#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "throng/common/config_source.hpp"

namespace throng::aggregator {

struct AggregatorConfig {
  std::string listen_address = "127.0.0.1";
  int port = 9300;  // serves /metrics/<service>, /metrics, /healthz, /readyz
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string metrics_prefix = "throng";
  std::vector<std::string> services = {"router", "operator", "aggregator"};
  std::chrono::milliseconds refresh_interval{1000};
  // Redis unreadable this long: stop serving the instances' (frozen) data.
  std::chrono::milliseconds max_stale{300000};
  // Redis lost its data: keep serving an instance that has not published again this long;
  // 0 means one expiry of that instance (four of its publish intervals).
  std::chrono::milliseconds restart_hold{0};
  std::chrono::milliseconds metrics_interval{5000};  // our own snapshot, like every service
  std::string instance_id;
  std::string log_level = "info";
  std::string log_format = "text";
};

Result<AggregatorConfig> LoadAggregatorConfig(const ConfigSource& source);

// Splits "router, operator" into names; fails on an empty list, a duplicate, or a name that
// is not a safe URL path segment and Redis key part ([a-z0-9_-]+).
Result<std::vector<std::string>> ParseServiceList(const std::string& text);

}  // namespace throng::aggregator

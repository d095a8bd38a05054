#pragma once

#include <chrono>
#include <string>

#include "throng/common/config_source.hpp"

namespace throng::operator_ {

struct OperatorConfig {
  std::string pg_dsn = "postgresql://throng@127.0.0.1:55432/throng";  // the local stack
  std::string bind = "tcp://127.0.0.1:5555";  // ZeroMQ ROUTER endpoint routers connect to
  std::string admin_address = "127.0.0.1";
  int admin_port = 9311;
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string metrics_prefix = "throng";
  std::chrono::milliseconds metrics_interval{5000};
  std::string instance_id;
  int db_workers = 4;
  std::chrono::milliseconds beat_interval{1000};
  std::chrono::milliseconds maintenance_interval{1000};
  // After one stop signal: how long to wait for assigned units to be submitted.
  std::chrono::milliseconds drain_timeout{1'800'000};
  std::string log_level = "info";
  std::string log_format = "text";
};

Result<OperatorConfig> LoadOperatorConfig(const ConfigSource& source);

}  // namespace throng::operator_

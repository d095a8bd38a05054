#include "operator_config.hpp"

namespace throng::operator_ {

Result<OperatorConfig> LoadOperatorConfig(const ConfigSource& source) {
  OperatorConfig config;
  config.pg_dsn = source.GetString("pg_dsn", config.pg_dsn);
  config.bind = source.GetString("bind", config.bind);
  config.admin_address = source.GetString("admin_address", config.admin_address);
  config.redis_url = source.GetString("redis_url", config.redis_url);
  config.metrics_prefix = source.GetString("metrics_prefix", config.metrics_prefix);
  config.log_level = source.GetString("log_level", config.log_level);
  config.log_format = source.GetString("log_format", config.log_format);

  auto admin_port = source.GetPort("admin_port", config.admin_port);
  if (!admin_port) return tl::unexpected(admin_port.error());
  config.admin_port = *admin_port;

  auto interval = source.GetSeconds("metrics_interval", 5.0);
  if (!interval) return tl::unexpected(interval.error());
  config.metrics_interval = *interval;

  auto drain = source.GetSeconds("drain_timeout", 1800.0, 0, 86400);
  if (!drain) return tl::unexpected(drain.error());
  config.drain_timeout = *drain;

  auto workers = source.GetInt("db_workers", config.db_workers);
  if (!workers) return tl::unexpected(workers.error());
  if (*workers < 1 || *workers > 64) return Fail("db_workers must be 1-64");
  config.db_workers = static_cast<int>(*workers);

  config.instance_id = source.GetString("instance_id", DefaultInstanceId());
  return config;
}

}  // namespace throng::operator_

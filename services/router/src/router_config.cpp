#include "router_config.hpp"

namespace throng::router {

Result<RouterConfig> LoadRouterConfig(const ConfigSource& source) {
  RouterConfig config;
  config.listen_address = source.GetString("listen_address", config.listen_address);
  config.operator_endpoint = source.GetString("operator_endpoint", config.operator_endpoint);
  config.admin_address = source.GetString("admin_address", config.admin_address);
  config.redis_url = source.GetString("redis_url", config.redis_url);
  config.metrics_prefix = source.GetString("metrics_prefix", config.metrics_prefix);
  config.log_level = source.GetString("log_level", config.log_level);
  config.upload_dir = source.GetString("upload_dir", config.upload_dir);
  config.log_format = source.GetString("log_format", config.log_format);

  auto port = source.GetPort("port", config.port);
  if (!port) return tl::unexpected(port.error());
  config.port = *port;
  auto admin_port = source.GetPort("admin_port", config.admin_port);
  if (!admin_port) return tl::unexpected(admin_port.error());
  config.admin_port = *admin_port;

  auto metrics_interval = source.GetSeconds("metrics_interval", 5);
  if (!metrics_interval) return tl::unexpected(metrics_interval.error());
  config.metrics_interval = *metrics_interval;
  auto timeout = source.GetSeconds("request_timeout", 30);
  if (!timeout) return tl::unexpected(timeout.error());
  config.request_timeout = *timeout;
  auto stale = source.GetSeconds("operator_stale_after", 3);
  if (!stale) return tl::unexpected(stale.error());
  config.operator_stale_after = *stale;

  auto body_limit = source.GetInt("body_limit", static_cast<long>(config.body_limit));
  if (!body_limit) return tl::unexpected(body_limit.error());
  if (*body_limit < 1024) return Fail("body_limit must be at least 1024 bytes");
  config.body_limit = static_cast<std::size_t>(*body_limit);

  auto frame_limit = source.GetInt("ws_frame_limit", static_cast<long>(config.ws_frame_limit));
  if (!frame_limit) return tl::unexpected(frame_limit.error());
  if (*frame_limit < 1024) return Fail("ws_frame_limit must be at least 1024 bytes");
  config.ws_frame_limit = static_cast<std::size_t>(*frame_limit);
  auto rate = source.GetDouble("ws_rate_limit", config.ws_rate_limit);
  if (!rate) return tl::unexpected(rate.error());
  if (*rate < 1) return Fail("ws_rate_limit must be at least 1 packet per second");
  config.ws_rate_limit = *rate;
  auto send_queue =
      source.GetInt("ws_send_queue_limit", static_cast<long>(config.ws_send_queue_limit));
  if (!send_queue) return tl::unexpected(send_queue.error());
  if (*send_queue < 64 * 1024) return Fail("ws_send_queue_limit must be at least 65536 bytes");
  config.ws_send_queue_limit = static_cast<std::size_t>(*send_queue);
  auto queue = source.GetInt("agent_queue_limit", static_cast<long>(config.agent_queue_limit));
  if (!queue) return tl::unexpected(queue.error());
  if (*queue < 1) return Fail("agent_queue_limit must be at least 1");
  config.agent_queue_limit = static_cast<std::size_t>(*queue);
  auto grace = source.GetSeconds("reconnect_grace", 10);
  if (!grace) return tl::unexpected(grace.error());
  config.reconnect_grace = *grace;
  auto stale_heartbeat = source.GetSeconds("heartbeat_stale", 15);
  if (!stale_heartbeat) return tl::unexpected(stale_heartbeat.error());
  config.heartbeat_stale = *stale_heartbeat;

  config.instance_id = source.GetString("instance_id", DefaultInstanceId());
  return config;
}

}  // namespace throng::router

#pragma once

#include <chrono>
#include <string>

#include "throng/common/config_source.hpp"

namespace throng::router {

struct RouterConfig {
  std::string listen_address = "0.0.0.0";
  int port = 3000;  // worker-facing HTTP (and, later, WebSocket) port
  std::string operator_endpoint = "tcp://127.0.0.1:5555";
  std::string admin_address = "127.0.0.1";
  int admin_port = 9310;
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string metrics_prefix = "throng";
  std::chrono::milliseconds metrics_interval{5000};
  std::string instance_id;
  // How long a held request (/request_agent, /submit_onboarding, /submit_task) waits for the
  // operator.
  std::chrono::milliseconds request_timeout{30000};
  // The operator counts as unreachable after this long without a heartbeat.
  std::chrono::milliseconds operator_stale_after{3000};
  std::size_t body_limit = 4 * 1024 * 1024;
  std::string upload_dir = "/tmp/throng-uploads";  // files submitted with multipart forms
  // WebSocket: largest frame, packets per second per connection (burst twice that), bytes
  // queued for a browser that does not read before its socket is closed, undelivered packets
  // kept per agent, how long a closed socket may take to come back before the agent is
  // reported disconnected, and how stale heartbeats may get.
  std::size_t ws_frame_limit = 1024 * 1024;
  double ws_rate_limit = 50;
  std::size_t ws_send_queue_limit = 8 * 1024 * 1024;
  std::size_t agent_queue_limit = 1000;
  std::chrono::milliseconds reconnect_grace{10000};
  std::chrono::milliseconds heartbeat_stale{15000};
  std::string log_level = "info";
  std::string log_format = "text";
};

Result<RouterConfig> LoadRouterConfig(const ConfigSource& source);

}  // namespace throng::router

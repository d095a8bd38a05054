#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "event_loop_lag.hpp"
#include "live_hub.hpp"
#include "operator_link.hpp"
#include "router_config.hpp"
#include "router_probe.hpp"
#include "throng/common/admin_server.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/http_server.hpp"
#include "throng/common/metrics_publisher.hpp"
#include "throng/common/service_metrics.hpp"
#include "worker_api.hpp"

namespace throng::router {

// The router process: the worker-facing HTTP server and all request state on one io thread
// (the caller of Run()), the operator link on its own thread, an admin port and the metrics
// publisher. Start order: operator link, HTTP listener, admin, publisher; reverse on stop.
class RouterApp {
 public:
  RouterApp(RouterConfig config, const Clock& clock);
  ~RouterApp();

  Result<void> Start();
  // Serves until a stop is requested; returns the exit code.
  int Run();
  // Thread-safe. 1: stop accepting and let held requests finish (bounded by the request
  // timeout); 2+: stop now.
  void RequestStop(int count);

  std::uint16_t Port() const { return http_ ? http_->Port() : 0; }
  std::uint16_t AdminPort() const { return admin_ ? admin_->Port() : 0; }

 private:
  void Tick();
  void ScheduleTick();

  RouterConfig config_;
  const Clock& clock_;
  boost::asio::io_context io_;
  std::shared_ptr<ServiceMetrics> metrics_;
  RouterProbe probe_;
  std::unique_ptr<OperatorLink> link_;
  AgentGate gate_;  // shared by the HTTP and websocket sides
  std::unique_ptr<LiveHub> hub_;
  std::unique_ptr<WorkerApi> api_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<MetricsPublisher> publisher_;
  boost::asio::steady_timer tick_;
  EventLoopLag loop_lag_;  // how late tick_ fires: the io thread's saturation
  std::atomic<int> stop_requests_{0};
  int stop_handled_ = 0;
  int ticks_ = 0;
  std::uint64_t next_session_id_ = 0;
  std::chrono::steady_clock::time_point drain_deadline_;
  std::chrono::steady_clock::time_point close_deadline_;
  std::int64_t started_ms_ = 0;
};

}  // namespace throng::router

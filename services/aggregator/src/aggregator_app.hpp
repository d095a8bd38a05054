#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "aggregator_config.hpp"
#include "aggregator_probe.hpp"
#include "snapshot_refresher.hpp"
#include "throng/common/admin_server.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/metrics_publisher.hpp"
#include "throng/common/service_metrics.hpp"

namespace throng::aggregator {

// The aggregator process: a refresher thread that merges the snapshots every service saves in
// Redis, an HTTP port serving them as /metrics/<service> (plus its own /metrics, /healthz,
// /readyz and an index page at /), and a publisher saving its own snapshot like every other
// service. Start order: refresher, HTTP port, publisher; Stop() undoes it in reverse.
class AggregatorApp {
 public:
  AggregatorApp(AggregatorConfig config, const Clock& clock);
  ~AggregatorApp();
  AggregatorApp(const AggregatorApp&) = delete;
  AggregatorApp& operator=(const AggregatorApp&) = delete;

  // Fails with a one-line reason (port taken). An unreachable Redis is not fatal: the
  // aggregator serves empty or last-known data and reports redis_up 0.
  Result<void> Start();
  // Serves until RequestStop(); returns the process exit code.
  int Run();
  // Thread-safe. Any count stops: there is no in-flight work worth finishing.
  void RequestStop(int count);
  void Stop();

  std::uint16_t Port() const { return admin_ ? admin_->Port() : 0; }

 private:
  HttpResponse ServeService(const HttpRequest& request, const std::string& service) const;
  // GET /: services, instances, snapshot ages; ?format=json for scripts.
  HttpResponse ServeIndex(const HttpRequest& request) const;

  AggregatorConfig config_;
  const Clock& clock_;
  std::shared_ptr<ServiceMetrics> metrics_;
  AggregatorProbe probe_;
  std::unique_ptr<SnapshotRefresher> refresher_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<MetricsPublisher> publisher_;

  std::mutex stop_mutex_;
  std::condition_variable stop_wake_;
  bool stop_requested_ = false;
};

}  // namespace throng::aggregator

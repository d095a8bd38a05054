#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "throng/common/service_metrics.hpp"

namespace throng {

struct MetricsPublisherOptions {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string key_prefix = "throng";
  std::string service;
  std::string instance_id;
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds redis_timeout{1000};
};

// The options every service uses: its name plus the redis_url, metrics_prefix, instance_id and
// metrics_interval fields that each service's config has.
template <typename Config>
MetricsPublisherOptions PublisherOptionsFor(const std::string& service, const Config& config) {
  MetricsPublisherOptions options;
  options.redis_url = config.redis_url;
  options.key_prefix = config.metrics_prefix;
  options.service = service;
  options.instance_id = config.instance_id;
  options.interval = config.metrics_interval;
  return options;
}

// Every interval, saves a full cumulative snapshot of the service's metrics to Redis:
//   <prefix>:{<service>}:snap:<instance_id>  STRING, PX = 4 x interval (the heartbeat)
//   <prefix>:{<service>}:instances           ZSET of instance ids (discovery index)
// Runs on its own thread so that a slow or dead Redis never stalls request handling; failures
// are counted and retried with a short jittered backoff. On Stop() it removes the key, so the
// instance vanishes at once; Stop() waits at most for the Redis call in progress.
class MetricsPublisher {
 public:
  MetricsPublisher(MetricsPublisherOptions options, std::shared_ptr<ServiceMetrics> metrics);
  ~MetricsPublisher();

  // Snapshot keys expire after this many publish intervals without a new snapshot.
  static constexpr int kExpiryIntervals = 4;

  void Start();
  void Stop();

  static std::string SnapshotKey(const std::string& prefix, const std::string& service,
                                 const std::string& instance_id);
  static std::string IndexKey(const std::string& prefix, const std::string& service);

 private:
  void Loop();

  MetricsPublisherOptions options_;
  std::shared_ptr<ServiceMetrics> metrics_;
  std::string boot_id_;
  prometheus::Counter* publish_failures_;
  prometheus::Gauge* last_success_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace throng

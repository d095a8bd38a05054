#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aggregator_probe.hpp"
#include "snapshot_merger.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/error.hpp"
#include "throng/common/redis_client.hpp"

namespace throng::aggregator {

struct RefresherOptions {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string key_prefix = "throng";
  std::vector<std::string> services;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds redis_timeout{1000};
  std::size_t max_payload_bytes = 1024 * 1024;  // larger snapshots are skipped unread
  MergeLimits limits;
};

// Reads every service's instance snapshots from Redis on a background thread and keeps, per
// service, an immutable pre-rendered exposition. Scrapes only copy a shared_ptr to it, so they
// never wait for Redis; when Redis is unreachable the last merged text stays in place.
class SnapshotRefresher {
 public:
  SnapshotRefresher(RefresherOptions options, AggregatorProbe& probe, const Clock& clock);
  ~SnapshotRefresher();
  SnapshotRefresher(const SnapshotRefresher&) = delete;
  SnapshotRefresher& operator=(const SnapshotRefresher&) = delete;

  void Start();
  void Stop();

  // One pass over every service. Runs on the background thread, or on the caller's thread
  // before Start() (tests); never concurrently. Returns false when Redis could not be read.
  bool RefreshOnce();

  // The last merged exposition of a configured service (empty before the first successful
  // refresh), or nullptr for a service that is not configured. Thread-safe, no I/O.
  std::shared_ptr<const std::string> Exposition(const std::string& service) const;
  // True once one pass has read every service from Redis.
  bool Ready() const { return ready_; }

 private:
  // Reads the live instances of one service; data that cannot be used is counted in `errors`.
  Result<std::vector<v1::MetricsSnapshot>> Fetch(const std::string& service,
                                                 std::map<std::string, std::uint64_t>& errors);
  void Loop();

  RefresherOptions options_;
  AggregatorProbe& probe_;
  const Clock& clock_;
  RedisClient redis_;  // refresh thread only
  const double started_s_;

  mutable std::mutex texts_mutex_;  // guards only the pointer swap
  std::map<std::string, std::shared_ptr<const std::string>> texts_;

  std::map<std::string, double> last_success_s_;  // refresh thread only
  std::set<std::string> reported_errors_;         // refresh thread only
  int consecutive_failures_ = 0;                  // refresh thread only
  std::atomic<bool> ready_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace throng::aggregator

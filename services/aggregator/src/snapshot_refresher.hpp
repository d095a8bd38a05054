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
#include "service_view.hpp"
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
  // Redis unreadable for this long: the instances' data is dropped rather than served as if
  // it were current.
  std::chrono::milliseconds max_stale{300000};
  // After Redis lost its data, how long an instance that has not published again is still
  // served; 0: one expiry of that instance (four of its publish intervals).
  std::chrono::milliseconds restart_hold{0};
  std::size_t max_payload_bytes = 1024 * 1024;  // larger snapshots are skipped unread
  MergeLimits limits;
};

// Reads every service's instance snapshots from Redis on a background thread and keeps, per
// service, an immutable view (pre-rendered exposition plus the instance list). Scrapes only
// copy a shared_ptr to it, so they never wait for Redis. When Redis is unreadable the last
// view stays for max_stale; when Redis comes back empty (restarted without persistence,
// flushed) the previous instances stay until they publish again or their expiry passes.
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

  // The current view of a configured service (empty before the first successful read), or
  // nullptr for a service that is not configured. Thread-safe, no I/O.
  std::shared_ptr<const ServiceView> View(const std::string& service) const;
  // True once one pass has read every service from Redis.
  bool Ready() const { return ready_; }
  // Whether the last pass could read Redis.
  bool RedisUp() const { return redis_up_; }

  // A key whose value changes only when Redis loses its data; see CheckEpoch().
  static std::string EpochKey(const std::string& prefix);

 private:
  // A snapshot kept after Redis lost it, until `until_s`.
  struct Held {
    v1::MetricsSnapshot snapshot;
    double until_s = 0;
  };
  struct ServiceState {
    std::map<std::string, v1::MetricsSnapshot> live;  // as last read, by instance id
    std::map<std::string, Held> held;
    double read_s = 0;  // last successful read; 0: never
  };

  // Reads the live instances of one service; data that cannot be used is counted in `errors`.
  Result<std::vector<v1::MetricsSnapshot>> Fetch(const std::string& service,
                                                 std::map<std::string, std::uint64_t>& errors);
  // Detects Redis having lost its data and then holds every service's instances.
  Result<void> CheckEpoch(double now_s);
  // Merges what was read (plus held instances) into a new view.
  void Rebuild(const std::string& service, std::vector<v1::MetricsSnapshot> fetched, double now_s,
               std::map<std::string, std::uint64_t>& errors);
  // Drops a service's instances once Redis has been unreadable for longer than max_stale.
  void DropIfStale(const std::string& service, double now_s);
  void Swap(const std::string& service, std::shared_ptr<const ServiceView> view);
  double HoldSeconds(const v1::MetricsSnapshot& snapshot) const;
  void Loop();

  RefresherOptions options_;
  AggregatorProbe& probe_;
  const Clock& clock_;
  RedisClient redis_;  // refresh thread only
  const double started_s_;

  mutable std::mutex views_mutex_;  // guards only the pointer swap
  std::map<std::string, std::shared_ptr<const ServiceView>> views_;

  std::map<std::string, ServiceState> states_;  // refresh thread only
  std::string epoch_;                           // refresh thread only
  std::set<std::string> reported_errors_;       // refresh thread only
  int consecutive_failures_ = 0;                // refresh thread only
  std::atomic<bool> ready_{false};
  std::atomic<bool> redis_up_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace throng::aggregator

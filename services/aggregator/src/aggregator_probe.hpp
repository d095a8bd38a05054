#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <string>

#include "throng/common/service_state.hpp"

namespace throng::aggregator {

// Every metric the aggregator exports about itself, declared in one place and used as verbs.
// Thread-safe (prometheus-cpp metrics are).
class AggregatorProbe {
 public:
  explicit AggregatorProbe(prometheus::Registry& registry);

  void SetRedisUp(bool up);
  void SetSnapshotAge(const std::string& service, double seconds);
  void SetInstances(const std::string& service, double count);
  void SetHeldInstances(const std::string& service, double count);
  void RedisDataLost();
  // Each refresh pass also sets the instance's health: running after one that read Redis,
  // error after one that could not.
  void ReportStateTo(ServiceState* state) { state_ = state; }
  void Refreshed(bool ok);
  void DecodeErrors(const std::string& service, const std::string& reason, std::uint64_t count);

 private:
  prometheus::Gauge& redis_up_;
  prometheus::Family<prometheus::Gauge>& snapshot_age_;
  prometheus::Family<prometheus::Gauge>& instances_;
  prometheus::Family<prometheus::Gauge>& held_instances_;
  prometheus::Counter& redis_data_lost_;
  prometheus::Counter& refreshes_;
  prometheus::Counter& refresh_errors_;
  prometheus::Family<prometheus::Counter>& decode_errors_;
  ServiceState* state_ = nullptr;
};

}  // namespace throng::aggregator

#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <string>
#include <vector>

#include "throng/common/process_metrics.hpp"
#include "throng/common/service_state.hpp"

namespace throng {

// Everything one service instance exports: its own registry (probes, the publisher's
// counters, build info) plus what is read at collect time: its health state and the process
// metrics. The admin port's /metrics and the Redis snapshot both collect this object, so
// both carry the same families.
class ServiceMetrics final : public prometheus::Collectable {
 public:
  explicit ServiceMetrics(const std::string& service);

  prometheus::Registry& Registry() { return registry_; }
  ServiceState& State() { return state_; }

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  prometheus::Registry registry_;
  ServiceState state_;
  ProcessMetrics process_;
};

}  // namespace throng

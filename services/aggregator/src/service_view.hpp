#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace throng::aggregator {

// One instance whose snapshot is part of a service's merged view.
struct InstanceSummary {
  std::string instance_id;
  std::string boot_id;  // changes when the process restarts under the same instance id
  std::uint64_t seq = 0;
  std::int64_t published_ms = 0;  // the publisher's clock
  std::size_t series = 0;         // sample lines it contributes
  bool held = false;              // gone from Redis after Redis lost its data; kept for a while
};

// What /metrics/<service> serves, built by the refresher and never changed afterwards: scrapes
// share it through a shared_ptr, so they neither copy under a lock nor wait for Redis.
struct ServiceView {
  std::string text;  // Prometheus text exposition; empty when no instance is live
  std::vector<InstanceSummary> instances;  // by instance id
  double read_s = 0;                       // when this data was last read from Redis (0: never)
};

}  // namespace throng::aggregator

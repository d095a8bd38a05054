#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <vector>

namespace throng {

// The process metrics Prometheus client libraries export, under their standard names:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds. Read from procfs at every
// Collect(), so a scrape and a snapshot see current values; a file that cannot be read only
// leaves out the metrics that come from it. Thread-safe.
class ProcessMetrics final : public prometheus::Collectable {
 public:
  // `proc_dir` is where procfs is mounted; tests point it at a fake one.
  explicit ProcessMetrics(std::string proc_dir = "/proc");

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_dir_;
  double ticks_per_second_;
  std::optional<double> boot_time_seconds_;  // the system boot time never changes: read once
};

}  // namespace throng

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace throng::loadgen {

// Per-operation counts, errors and latencies of one load run. Latencies and completions count
// only inside the measurement window (after the warm-up); errors count from the start, since a
// failure during ramp-up is still a failure. Keeps every sample (4 bytes each) so percentiles
// are exact, not bucketed.
class LatencyStats {
 public:
  struct Summary {
    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    double per_second = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
  };

  void SetRecording(bool recording) { recording_ = recording; }
  bool recording() const { return recording_; }

  void Record(const std::string& operation, std::chrono::nanoseconds latency);
  void Fail(const std::string& operation, const std::string& reason);

  // `window_seconds` turns counts into rates.
  Summary Summarize(const std::string& operation, double window_seconds) const;
  std::vector<std::string> Operations() const;
  std::uint64_t Errors() const;
  // {"<operation>": {count, errors, per_second, latency_ms: {p50, p90, p99, p99.9, max, mean}}}
  nlohmann::json OperationsJson(double window_seconds) const;
  // {"<operation>: <reason>": count}
  nlohmann::json ErrorsJson() const;

 private:
  struct Operation {
    std::vector<std::uint32_t> micros;
    std::uint64_t errors = 0;
  };
  Operation& Get(const std::string& operation);

  bool recording_ = false;
  std::map<std::string, Operation> operations_;
  std::map<std::string, std::uint64_t> error_reasons_;
};

// The nearest-rank percentile (0 < q <= 1) of sorted samples.
std::uint32_t NearestRank(const std::vector<std::uint32_t>& sorted, double q);

}  // namespace throng::loadgen

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace throng::loadgen {

// Per-operation counts, errors and latencies of one load run. An operation counts when it was
// due (or started) inside the measurement window, whenever it completed: the slow ones due at
// the end of the window, answered during the drain, are the ones that matter. Errors count
// from the start, since a failure during ramp-up is still a failure. Keeps every sample (4
// bytes each) so percentiles are exact, not bucketed.
class LatencyStats {
 public:
  using Clock = std::chrono::steady_clock;

  struct Summary {
    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    double per_second = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
  };

  void OpenWindow(Clock::time_point at);
  void CloseWindow(Clock::time_point at);

  // An operation due (or started) at `due` and done at `done`.
  void Record(const std::string& operation, Clock::time_point due, Clock::time_point done);
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

  bool opened_ = false, closed_ = false;
  Clock::time_point open_, close_;
  std::map<std::string, Operation> operations_;
  std::map<std::string, std::uint64_t> error_reasons_;
};

// The nearest-rank percentile (0 < q <= 1) of sorted samples.
std::uint32_t NearestRank(const std::vector<std::uint32_t>& sorted, double q);

}  // namespace throng::loadgen

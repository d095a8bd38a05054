#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace throng::loadgen {

std::uint32_t NearestRank(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LatencyStats::Operation& LatencyStats::Get(const std::string& operation) {
  return operations_[operation];
}

void LatencyStats::OpenWindow(Clock::time_point at) {
  opened_ = true;
  open_ = at;
}

void LatencyStats::CloseWindow(Clock::time_point at) {
  closed_ = true;
  close_ = at;
}

void LatencyStats::Record(const std::string& operation, Clock::time_point due,
                          Clock::time_point done) {
  auto& op = Get(operation);
  if (!opened_ || due < open_ || (closed_ && due >= close_)) return;
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(done - due).count();
  op.micros.push_back(static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(micros, 0, std::numeric_limits<std::uint32_t>::max())));
}

void LatencyStats::Fail(const std::string& operation, const std::string& reason) {
  ++Get(operation).errors;
  ++error_reasons_[operation + ": " + reason];
}

LatencyStats::Summary LatencyStats::Summarize(const std::string& operation,
                                              double window_seconds) const {
  Summary summary;
  auto it = operations_.find(operation);
  if (it == operations_.end()) return summary;
  auto sorted = it->second.micros;
  std::sort(sorted.begin(), sorted.end());
  summary.count = sorted.size();
  summary.errors = it->second.errors;
  summary.per_second = window_seconds > 0 ? static_cast<double>(sorted.size()) / window_seconds : 0;
  auto ms = [](std::uint32_t micros) { return micros / 1000.0; };
  summary.p50_ms = ms(NearestRank(sorted, 0.50));
  summary.p90_ms = ms(NearestRank(sorted, 0.90));
  summary.p99_ms = ms(NearestRank(sorted, 0.99));
  summary.p999_ms = ms(NearestRank(sorted, 0.999));
  summary.max_ms = sorted.empty() ? 0 : ms(sorted.back());
  summary.mean_ms =
      sorted.empty() ? 0
                     : std::accumulate(sorted.begin(), sorted.end(), 0.0) / 1000.0 / sorted.size();
  return summary;
}

std::vector<std::string> LatencyStats::Operations() const {
  std::vector<std::string> names;
  for (const auto& [name, op] : operations_) names.push_back(name);
  return names;
}

std::uint64_t LatencyStats::Errors() const {
  std::uint64_t errors = 0;
  for (const auto& [name, op] : operations_) errors += op.errors;
  return errors;
}

nlohmann::json LatencyStats::OperationsJson(double window_seconds) const {
  auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
  nlohmann::json out = nlohmann::json::object();
  for (const auto& name : Operations()) {
    auto s = Summarize(name, window_seconds);
    out[name] = {{"count", s.count},
                 {"errors", s.errors},
                 {"per_second", round3(s.per_second)},
                 {"latency_ms",
                  {{"p50", round3(s.p50_ms)},
                   {"p90", round3(s.p90_ms)},
                   {"p99", round3(s.p99_ms)},
                   {"p99.9", round3(s.p999_ms)},
                   {"max", round3(s.max_ms)},
                   {"mean", round3(s.mean_ms)}}}};
  }
  return out;
}

nlohmann::json LatencyStats::ErrorsJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [reason, count] : error_reasons_) out[reason] = count;
  return out;
}

}  // namespace throng::loadgen

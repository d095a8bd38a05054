#include "load_report.hpp"

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace throng::loadgen {

namespace {

// The lag of whichever schedule the scenario ran (sends, arrivals or submissions).
LatencyStats::Summary Lag(const LatencyStats& own, double seconds) {
  LatencyStats::Summary worst;
  for (const auto& name : own.Operations()) {
    auto lag = own.Summarize(name, seconds);
    if (lag.p99_ms >= worst.p99_ms) worst = lag;
  }
  return worst;
}

}  // namespace

bool LoadReport::GeneratorSaturated() const {
  return window.CpuPercent() >= 90 || Lag(own, window.Seconds()).p99_ms > 5;
}

nlohmann::json LoadReport::Json() const {
  auto seconds = window.Seconds();
  auto lag = Lag(own, seconds);
  nlohmann::json report{{"scenario", scenario},
                        {"settings", settings},
                        {"window_seconds", std::round(seconds * 1000) / 1000},
                        {"operations", stats.OperationsJson(seconds)},
                        {"errors", stats.ErrorsJson()}};
  for (const auto& [key, value] : details.items()) report[key] = value;
  report["loadgen"] = {{"cpu_percent_of_one_core", std::round(window.CpuPercent() * 10) / 10},
                       {"schedule_lag_ms", {{"p99", lag.p99_ms}, {"max", lag.max_ms}}},
                       {"saturated", GeneratorSaturated()}};
  return report;
}

std::string LoadReport::SummaryLine() const {
  auto seconds = window.Seconds();
  std::string line = scenario + ":";
  for (const auto& name : stats.Operations()) {
    auto s = stats.Summarize(name, seconds);
    if (s.count == 0 && s.errors == 0) continue;
    line += fmt::format(" {} {:.0f}/s p50 {:.2f} p99 {:.2f} p99.9 {:.2f} ms;", name, s.per_second,
                        s.p50_ms, s.p99_ms, s.p999_ms);
  }
  line += fmt::format(" errors {}", stats.Errors());
  if (details.contains("delivery")) {
    const auto& d = details["delivery"];
    line += fmt::format("; delivered {}/{} (duplicates {}, never {})", d["delivered"].get<long>(),
                        d["sent"].get<long>(), d["duplicates"].get<long>(),
                        d["never_delivered"].get<long>());
  }
  line += fmt::format("; loadgen cpu {:.0f}%{}", window.CpuPercent(),
                      GeneratorSaturated() ? " SATURATED: figures are the generator's limit" : "");
  return line;
}

}  // namespace throng::loadgen

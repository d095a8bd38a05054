#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "latency_stats.hpp"
#include "measurement_window.hpp"

namespace throng::loadgen {

// What one run measured: the server's figures per operation, the scenario's own accounting
// (`details`), and the generator's health, so a saturated generator is never mistaken for a
// slow server: its CPU use in the window and how late it sent what its schedule said was due.
struct LoadReport {
  std::string scenario;
  nlohmann::json settings;
  const LatencyStats& stats;
  const MeasurementWindow& window;
  nlohmann::json details;
  const LatencyStats& own;

  nlohmann::json Json() const;
  // One line: throughput and latency per operation, errors, deliveries, generator CPU.
  std::string SummaryLine() const;
  // Generator CPU at 90 % of a core or more, or its sends a 99th percentile 5 ms late.
  bool GeneratorSaturated() const;
};

}  // namespace throng::loadgen

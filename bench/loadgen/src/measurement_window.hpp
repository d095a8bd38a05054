#pragma once

#include <chrono>

#include "latency_stats.hpp"

namespace throng::loadgen {

// CPU seconds this process has used (user + system), so a report can tell a saturated
// generator from a slow server.
double ProcessCpuSeconds();

// The part of a run whose figures count: opened after the warm-up, closed before the drain.
// Latencies are recorded only while it is open; it also measures the generator's own CPU use.
class MeasurementWindow {
 public:
  using Clock = std::chrono::steady_clock;

  void Open(LatencyStats& stats);
  void Close(LatencyStats& stats);
  bool opened() const { return opened_; }
  bool closed() const { return closed_; }
  double Seconds() const;
  // CPU use over the window, in percent of one core.
  double CpuPercent() const;

 private:
  bool opened_ = false;
  bool closed_ = false;
  Clock::time_point start_, end_;
  double cpu_start_ = 0, cpu_end_ = 0;
};

}  // namespace throng::loadgen

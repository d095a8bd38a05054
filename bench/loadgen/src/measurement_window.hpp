#pragma once

#include <chrono>
#include <initializer_list>

#include "latency_stats.hpp"

namespace throng::loadgen {

// CPU seconds this process has used (user + system), so a report can tell a saturated
// generator from a slow server.
double ProcessCpuSeconds();

// The part of a run whose figures count: opened after the warm-up, closed before the drain.
// Operations due while it is open are counted (LatencyStats); it also measures the generator's
// own CPU use.
class MeasurementWindow {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens (closes) the window of every one of `stats`.
  void Open(std::initializer_list<LatencyStats*> stats);
  void Close(std::initializer_list<LatencyStats*> stats);
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

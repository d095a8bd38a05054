#include "measurement_window.hpp"

#include <sys/resource.h>

namespace throng::loadgen {

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void MeasurementWindow::Open(std::initializer_list<LatencyStats*> stats) {
  opened_ = true;
  start_ = Clock::now();
  cpu_start_ = ProcessCpuSeconds();
  for (auto* each : stats) each->OpenWindow(start_);
}

void MeasurementWindow::Close(std::initializer_list<LatencyStats*> stats) {
  if (!opened_ || closed_) return;
  closed_ = true;
  end_ = Clock::now();
  cpu_end_ = ProcessCpuSeconds();
  for (auto* each : stats) each->CloseWindow(end_);
}

double MeasurementWindow::Seconds() const {
  if (!opened_) return 0;
  auto end = closed_ ? end_ : Clock::now();
  return std::chrono::duration<double>(end - start_).count();
}

double MeasurementWindow::CpuPercent() const {
  auto seconds = Seconds();
  if (seconds <= 0) return 0;
  auto cpu = (closed_ ? cpu_end_ : ProcessCpuSeconds()) - cpu_start_;
  return 100.0 * cpu / seconds;
}

}  // namespace throng::loadgen

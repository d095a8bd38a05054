#pragma once

#include <chrono>
#include <cstdint>

namespace throng {

// Wall-clock time source; injected so that time-dependent logic is testable without sleeps.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;

  double NowSeconds() const {
    return std::chrono::duration<double>(Now().time_since_epoch()).count();
  }
  std::int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

// A process-wide system clock for code that has no injected one.
const Clock& DefaultClock();

}  // namespace throng

#pragma once

#include "throng/common/clock.hpp"

namespace throng::testing {

// A clock that only moves when the test says so.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000)
      : now_(std::chrono::milliseconds(start_ms)) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  std::chrono::system_clock::time_point now_;
};

}  // namespace throng::testing

#pragma once

#include <chrono>
#include <cstdint>

namespace throng::loadgen {

// Open-loop arrivals at a fixed rate: the k-th event is due at start + k / rate whatever the
// server did with the earlier ones, and its latency counts from that due time, so a slow server
// shows as latency instead of silently lowering the offered load (coordinated omission).
class OpenLoopPacer {
 public:
  using Clock = std::chrono::steady_clock;

  OpenLoopPacer(double per_second, Clock::time_point start) : rate_(per_second), start_(start) {}

  // How many events are due by `now` and not yet taken; Take() them one by one.
  std::uint64_t Pending(Clock::time_point now) const {
    if (rate_ <= 0 || now < start_) return 0;
    auto due =
        static_cast<std::uint64_t>(std::chrono::duration<double>(now - start_).count() * rate_) + 1;
    return due > taken_ ? due - taken_ : 0;
  }
  // The due time of the next event, not yet taken.
  Clock::time_point NextDue() const {
    return start_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(taken_) / rate_));
  }
  // The due time of the next event, which is now taken.
  Clock::time_point Take() {
    auto due = NextDue();
    ++taken_;
    return due;
  }
  std::uint64_t taken() const { return taken_; }

 private:
  double rate_;
  Clock::time_point start_;
  std::uint64_t taken_ = 0;
};

}  // namespace throng::loadgen

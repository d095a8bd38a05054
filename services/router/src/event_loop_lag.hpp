#pragma once

#include <chrono>
#include <deque>

namespace throng::router {

// How late an event loop runs a periodic timer: a loop busy with other work runs it after it
// was due. Keeps the delays of the last `window` and reports the largest, so that one slow
// turn stays visible for a whole window whatever the scrape interval. Pure: callers pass the
// times, so tests need no clock and no sleeps.
class EventLoopLag {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit EventLoopLag(std::chrono::steady_clock::duration window = std::chrono::seconds(1))
      : window_(window) {}

  // A timer due at `due` ran at `ran`. Returns the largest delay, in seconds, of the timers
  // that ran within the window ending at `ran` (this one included; never negative).
  double Record(TimePoint due, TimePoint ran);

 private:
  struct Sample {
    TimePoint ran;
    double lag_seconds;
  };

  std::chrono::steady_clock::duration window_;
  std::deque<Sample> samples_;
};

}  // namespace throng::router

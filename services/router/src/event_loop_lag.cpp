#include "event_loop_lag.hpp"

#include <algorithm>

namespace throng::router {

double EventLoopLag::Record(TimePoint due, TimePoint ran) {
  double lag = std::max(0.0, std::chrono::duration<double>(ran - due).count());
  samples_.push_back({ran, lag});
  while (!samples_.empty() && ran - samples_.front().ran >= window_) samples_.pop_front();
  double largest = lag;
  for (const auto& sample : samples_) largest = std::max(largest, sample.lag_seconds);
  return largest;
}

}  // namespace throng::router

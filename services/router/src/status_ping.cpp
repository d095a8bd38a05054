#include "status_ping.hpp"

#include <algorithm>

namespace throng::router {

std::optional<double> StatusPing::Answered(double now_seconds, double give_up_after) {
  double sent_at = sent_at_;
  sent_at_ = 0;
  if (sent_at <= 0) return std::nullopt;
  double round_trip = now_seconds - sent_at;
  if (round_trip > give_up_after) return std::nullopt;
  return std::max(0.0, round_trip);
}

}  // namespace throng::router

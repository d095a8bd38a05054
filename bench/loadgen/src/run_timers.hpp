#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace throng::loadgen {

// `seconds` as the steady clock's duration.
std::chrono::steady_clock::duration Seconds(double seconds);

// The timers of one load run, on its io thread: ticks that repeat while they return true and
// one-shot delays, all cancelled together when the run ends (a tick may end the run itself).
class RunTimers {
 public:
  explicit RunTimers(boost::asio::io_context& io) : io_(io) {}

  using TimePoint = std::chrono::steady_clock::time_point;

  void Every(std::chrono::milliseconds period, std::function<bool()> tick);
  // Open loop: calls `each(k, due)` for k = 0, 1, ..., the k-th due at now + k / per_second,
  // while it returns true. The timer wakes at each due time, not on a coarser tick, so the
  // calls reach the server spread as a crowd's would, not in bursts; a late call keeps its due
  // time.
  void PacedWhile(double per_second, std::function<bool(std::size_t k, TimePoint due)> each);
  // The same for k = 0 .. count - 1.
  void Paced(std::size_t count, double per_second,
             std::function<void(std::size_t k, TimePoint due)> each);
  void After(double seconds, std::function<void()> then);
  void CancelAll();

 private:
  // A tick returns when it wants to run next, or nothing to end.
  using Tick = std::function<std::optional<TimePoint>()>;
  struct Loop {
    boost::asio::steady_timer timer;
    Tick tick;
  };
  void Start(TimePoint first, Tick tick);
  void Arm(const std::shared_ptr<Loop>& loop, TimePoint when);

  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<Loop>> loops_;
};

}  // namespace throng::loadgen

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace throng::loadgen {

// `seconds` as the steady clock's duration.
std::chrono::steady_clock::duration Seconds(double seconds);

// The timers of one load run, on its io thread: ticks that repeat while they return true and
// one-shot delays, all cancelled together when the run ends (a tick may end the run itself).
class RunTimers {
 public:
  explicit RunTimers(boost::asio::io_context& io) : io_(io) {}

  void Every(std::chrono::milliseconds period, std::function<bool()> tick);
  // Open loop: calls `each(k, due)` for k = 0 .. count - 1, the k-th due at now + k /
  // per_second, from a 1 ms tick (late calls keep their due time).
  void Paced(std::size_t count, double per_second,
             std::function<void(std::size_t k, std::chrono::steady_clock::time_point due)> each);
  void After(double seconds, std::function<void()> then);
  void CancelAll();

 private:
  struct Loop {
    boost::asio::steady_timer timer;
    std::chrono::steady_clock::duration period;
    std::function<bool()> tick;
  };
  void Arm(const std::shared_ptr<Loop>& loop);

  boost::asio::io_context& io_;
  std::vector<std::shared_ptr<Loop>> loops_;
};

}  // namespace throng::loadgen

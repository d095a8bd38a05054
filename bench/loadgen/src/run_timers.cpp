#include "run_timers.hpp"

#include "open_loop_pacer.hpp"

namespace throng::loadgen {

std::chrono::steady_clock::duration Seconds(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

void RunTimers::Every(std::chrono::milliseconds period, std::function<bool()> tick) {
  auto loop = std::make_shared<Loop>(Loop{boost::asio::steady_timer(io_), period, std::move(tick)});
  loops_.push_back(loop);
  Arm(loop);
}

void RunTimers::Paced(
    std::size_t count, double per_second,
    std::function<void(std::size_t k, std::chrono::steady_clock::time_point due)> each) {
  if (count == 0) return;
  auto pacer = std::make_shared<OpenLoopPacer>(per_second, std::chrono::steady_clock::now());
  Every(std::chrono::milliseconds(1), [pacer, count, each = std::move(each)] {
    for (auto due = pacer->Pending(std::chrono::steady_clock::now());
         due > 0 && pacer->taken() < count; --due) {
      auto k = static_cast<std::size_t>(pacer->taken());
      each(k, pacer->Take());
    }
    return pacer->taken() < count;
  });
}

void RunTimers::After(double seconds, std::function<void()> then) {
  auto loop = std::make_shared<Loop>(
      Loop{boost::asio::steady_timer(io_), Seconds(seconds), [then = std::move(then)] {
             then();
             return false;
           }});
  loops_.push_back(loop);
  Arm(loop);
}

void RunTimers::Arm(const std::shared_ptr<Loop>& loop) {
  loop->timer.expires_after(loop->period);
  // The handler owns its loop while it runs, so a tick that ends the run (CancelAll) is safe.
  loop->timer.async_wait([this, loop](const boost::system::error_code& error) {
    if (error || !loop->tick()) return;
    Arm(loop);
  });
}

void RunTimers::CancelAll() {
  for (auto& loop : loops_) loop->timer.cancel();
  loops_.clear();
}

}  // namespace throng::loadgen

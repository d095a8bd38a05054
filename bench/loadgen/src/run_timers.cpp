#include "run_timers.hpp"

#include "open_loop_pacer.hpp"

namespace throng::loadgen {

std::chrono::steady_clock::duration Seconds(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

void RunTimers::Every(std::chrono::milliseconds period, std::function<bool()> tick) {
  Start(std::chrono::steady_clock::now() + period,
        [period, tick = std::move(tick)]() -> std::optional<TimePoint> {
          if (!tick()) return std::nullopt;
          return std::chrono::steady_clock::now() + period;
        });
}

void RunTimers::PacedWhile(double per_second,
                           std::function<bool(std::size_t k, TimePoint due)> each) {
  auto now = std::chrono::steady_clock::now();
  auto pacer = std::make_shared<OpenLoopPacer>(per_second, now);
  Start(now, [pacer, each = std::move(each)]() -> std::optional<TimePoint> {
    for (auto due = pacer->Pending(std::chrono::steady_clock::now()); due > 0; --due) {
      auto k = static_cast<std::size_t>(pacer->taken());
      if (!each(k, pacer->Take())) return std::nullopt;
    }
    return pacer->NextDue();
  });
}

void RunTimers::Paced(std::size_t count, double per_second,
                      std::function<void(std::size_t k, TimePoint due)> each) {
  if (count == 0) return;
  PacedWhile(per_second, [count, each = std::move(each)](std::size_t k, TimePoint due) {
    each(k, due);
    return k + 1 < count;
  });
}

void RunTimers::After(double seconds, std::function<void()> then) {
  Start(std::chrono::steady_clock::now() + Seconds(seconds),
        [then = std::move(then)]() -> std::optional<TimePoint> {
          then();
          return std::nullopt;
        });
}

void RunTimers::Start(TimePoint first, Tick tick) {
  auto loop = std::make_shared<Loop>(Loop{boost::asio::steady_timer(io_), std::move(tick)});
  loops_.push_back(loop);
  Arm(loop, first);
}

void RunTimers::Arm(const std::shared_ptr<Loop>& loop, TimePoint when) {
  loop->timer.expires_at(when);
  // The handler owns its loop while it runs, so a tick that ends the run (CancelAll) is safe.
  loop->timer.async_wait([this, loop](const boost::system::error_code& error) {
    if (error) return;
    if (auto next = loop->tick()) Arm(loop, *next);
  });
}

void RunTimers::CancelAll() {
  for (auto& loop : loops_) loop->timer.cancel();
  loops_.clear();
}

}  // namespace throng::loadgen

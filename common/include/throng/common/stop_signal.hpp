#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace throng {

// Turns SIGINT/SIGTERM into calls of `on_signal(count)` on a dedicated thread (never inside a
// signal handler): count 1 asks for a graceful stop, 2 or more for an immediate one.
// Construct it in main() before any other thread starts, so every thread inherits the mask.
class StopSignal {
 public:
  explicit StopSignal(std::function<void(int count)> on_signal);
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace throng

#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace throng::cli {

// A Ctrl-C seen by a StopSignal thread; waits in the main thread wake at once.
class StopRequest {
 public:
  void Request() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    changed_.notify_all();
  }
  // Waits up to `period`; true once a stop was requested.
  bool WaitFor(std::chrono::milliseconds period) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, period, [this] { return requested_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool requested_ = false;
};

}  // namespace throng::cli

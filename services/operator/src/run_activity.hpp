#pragma once

#include <cstdint>
#include <map>
#include <mutex>

namespace throng::operator_ {

// When each live run last received a submission, for no_submission_patience. Kept in memory as
// Mephisto does: a restarted operator gives every run the full patience again rather than
// shutting down runs that were only waiting for it. Thread-safe.
class RunActivity {
 public:
  void SubmissionReceived(std::int64_t task_run_id, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    last_ms_[task_run_id] = now_ms;
  }

  // Milliseconds since the run's last submission, or since the run was first asked about.
  std::int64_t IdleMillis(std::int64_t task_run_id, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto [it, first_time] = last_ms_.try_emplace(task_run_id, now_ms);
    return now_ms - it->second;
  }

  void Forget(std::int64_t task_run_id) {
    std::lock_guard lock(mutex_);
    last_ms_.erase(task_run_id);
  }

 private:
  std::mutex mutex_;
  std::map<std::int64_t, std::int64_t> last_ms_;
};

}  // namespace throng::operator_

#pragma once

#include <prometheus/family.h>
#include <prometheus/labels.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace throng::operator_ {

// The series of one metric family labelled by task_run_id (plus the family's other labels),
// made on first use and removed once their run has ended, so per-run labels stay bounded.
// Thread-safe: metrics are only touched under the lock, so a removal never races an update.
template <typename Metric>
class RunSeries {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RunSeries(prometheus::Family<Metric>& family) : family_(family) {}

  // Calls update(metric) on the run's series with these other labels; `args` are what the
  // family needs to make a new one (a histogram's buckets).
  template <typename Fn, typename... Args>
  void Update(std::int64_t task_run_id, const prometheus::Labels& labels, Fn&& update,
              const Args&... args) {
    std::lock_guard lock(mutex_);
    Key key{task_run_id, labels};
    auto it = series_.find(key);
    if (it == series_.end()) {
      auto all = labels;
      all.emplace("task_run_id", std::to_string(task_run_id));
      it = series_.emplace(key, Entry{&family_.Add(all, args...), Clock::now()}).first;
    }
    update(*it->second.metric);
  }

  // Removes the series of runs not in `live`; a series made after `settled` stays, as its run
  // may be newer than the list of live runs.
  void RemoveEnded(const std::set<std::int64_t>& live, Clock::time_point settled) {
    std::lock_guard lock(mutex_);
    for (auto it = series_.begin(); it != series_.end();) {
      if (live.count(it->first.first) || it->second.made > settled) {
        ++it;
        continue;
      }
      family_.Remove(it->second.metric);
      it = series_.erase(it);
    }
  }

 private:
  using Key = std::pair<std::int64_t, prometheus::Labels>;
  struct Entry {
    Metric* metric;
    Clock::time_point made;
  };
  prometheus::Family<Metric>& family_;
  std::mutex mutex_;
  std::map<Key, Entry> series_;
};

}  // namespace throng::operator_

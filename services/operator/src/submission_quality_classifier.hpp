#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace throng::operator_ {

// Whether a submission's final_data holds nothing: no value other than null, "", [] or {}
// anywhere in it (an empty object counts as empty).
bool IsEmptySubmission(const nlohmann::json& final_data);

// The completion times of a run's most recent standard units.
class RecentCompletionTimes {
 public:
  static constexpr std::size_t kCapacity = 101;
  // Fewer samples than this say too little about the run to call anything fast.
  static constexpr std::size_t kMinimumSamples = 10;

  void Add(double seconds);
  // The median of the window; none while it has fewer than kMinimumSamples.
  std::optional<double> Median() const;

 private:
  std::deque<double> seconds_;
};

// "empty" (wins over fast), "fast" (below fast_fraction of the median) or "normal".
std::string ClassifySubmission(const nlohmann::json& final_data, double seconds_worked,
                               std::optional<double> median_seconds, double fast_fraction);

// Classifies each completed standard unit of every run against that run's recent completion
// times, kept in memory (a restarted operator learns them again). Thread-safe: the database
// workers share one.
class SubmissionQualityClassifier {
 public:
  // Classifies against the window, then adds this completion to it.
  std::string Classify(std::int64_t task_run_id, const nlohmann::json& final_data,
                       double seconds_worked, double fast_fraction);
  // A run that ended: its window goes.
  void Forget(std::int64_t task_run_id);

 private:
  std::mutex mutex_;
  std::map<std::int64_t, RecentCompletionTimes> runs_;
};

}  // namespace throng::operator_

#include "submission_quality_classifier.hpp"

#include <algorithm>
#include <vector>

namespace throng::operator_ {

bool IsEmptySubmission(const nlohmann::json& final_data) {
  if (final_data.is_null()) return true;
  if (final_data.is_string()) return final_data.get_ref<const std::string&>().empty();
  if (final_data.is_array() || final_data.is_object()) {
    return std::all_of(final_data.begin(), final_data.end(),
                       [](const nlohmann::json& value) { return IsEmptySubmission(value); });
  }
  return false;  // a number or a boolean is an answer
}

void RecentCompletionTimes::Add(double seconds) {
  seconds_.push_back(seconds);
  if (seconds_.size() > kCapacity) seconds_.pop_front();
}

std::optional<double> RecentCompletionTimes::Median() const {
  if (seconds_.size() < kMinimumSamples) return std::nullopt;
  std::vector<double> sorted(seconds_.begin(), seconds_.end());
  auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
  std::nth_element(sorted.begin(), middle, sorted.end());
  if (sorted.size() % 2 == 1) return *middle;
  double upper = *middle;
  double lower = *std::max_element(sorted.begin(), middle);
  return (lower + upper) / 2;
}

std::string ClassifySubmission(const nlohmann::json& final_data, double seconds_worked,
                               std::optional<double> median_seconds, double fast_fraction) {
  if (IsEmptySubmission(final_data)) return "empty";
  if (median_seconds && seconds_worked < fast_fraction * *median_seconds) return "fast";
  return "normal";
}

std::string SubmissionQualityClassifier::Classify(std::int64_t task_run_id,
                                                  const nlohmann::json& final_data,
                                                  double seconds_worked, double fast_fraction) {
  std::lock_guard lock(mutex_);
  auto& recent = runs_[task_run_id];
  auto quality = ClassifySubmission(final_data, seconds_worked, recent.Median(), fast_fraction);
  recent.Add(seconds_worked);
  return quality;
}

void SubmissionQualityClassifier::Forget(std::int64_t task_run_id) {
  std::lock_guard lock(mutex_);
  runs_.erase(task_run_id);
}

}  // namespace throng::operator_

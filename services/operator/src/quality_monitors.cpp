#include "quality_monitors.hpp"

#include <charconv>
#include <cmath>

namespace throng::operator_ {

namespace {

std::string KnownKeys() {
  std::string keys;
  for (const auto& setting : QualityMonitorSettings()) {
    keys += (keys.empty() ? "" : ", ") + std::string(setting.key);
  }
  return keys;
}

std::string Range(const QualityMonitorSetting& setting) {
  return setting.zero_allowed ? "a number from 0 to 1" : "a number above 0 and at most 1";
}

}  // namespace

const std::vector<QualityMonitorSetting>& QualityMonitorSettings() {
  static const std::vector<QualityMonitorSetting> settings{
      {"min_gold_accuracy", &QualityMonitors::min_gold_accuracy, true, true,
       "share of gold units answered correctly below which the run needs attention"},
      {"min_screening_pass_rate", &QualityMonitors::min_screening_pass_rate, true, true,
       "share of screening units passed below which the run needs attention"},
      {"min_onboarding_pass_rate", &QualityMonitors::min_onboarding_pass_rate, true, true,
       "share of onboardings passed below which the run needs attention"},
      {"max_empty_submission_share", &QualityMonitors::max_empty_submission_share, true, true,
       "share of empty submissions above which the run needs attention"},
      {"max_fast_submission_share", &QualityMonitors::max_fast_submission_share, true, true,
       "share of fast submissions above which the run needs attention"},
      {"fast_submission_fraction", &QualityMonitors::fast_submission_fraction, false, false,
       "a submission faster than this fraction of the run's median time is fast"},
  };
  return settings;
}

Result<double> ParseQualityMonitorValue(const QualityMonitorSetting& setting,
                                        const std::string& text) {
  const std::string problem = "monitoring." + std::string(setting.key) + " must be " +
                              Range(setting) + ", not '" + text.substr(0, 64) + "'";
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Fail(problem);
  }
  if (value < 0 || value > 1 || (!setting.zero_allowed && value == 0)) return Fail(problem);
  return value;
}

Result<QualityMonitors> ParseQualityMonitors(const YAML::Node& monitoring) {
  QualityMonitors monitors;
  if (!monitoring || monitoring.IsNull()) return monitors;
  if (!monitoring.IsMap()) {
    return Fail("the task config's 'monitoring' section must be a mapping (keys: " + KnownKeys() +
                ")");
  }
  for (const auto& entry : monitoring) {
    auto key = entry.first.Scalar();
    const QualityMonitorSetting* found = nullptr;
    for (const auto& setting : QualityMonitorSettings()) {
      if (key == setting.key) found = &setting;
    }
    if (!found) {
      return Fail("monitoring." + key +
                  " is not a monitoring setting; its settings: " + KnownKeys());
    }
    if (entry.second.IsNull()) continue;  // as other groups: an empty value keeps the default
    if (!entry.second.IsScalar()) {
      return Fail("monitoring." + key + " must be " + Range(*found) + ", not a list or mapping");
    }
    auto value = ParseQualityMonitorValue(*found, entry.second.Scalar());
    if (!value) return tl::unexpected(value.error());
    monitors.*(found->field) = *value;
  }
  return monitors;
}

}  // namespace throng::operator_

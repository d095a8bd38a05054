#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// A run's quality thresholds (the task config's `monitoring` group), stored with the run in
// task_runs columns of the same names. Alert rules compare a run's measured ratios with them.
struct QualityMonitors {
  double min_gold_accuracy = 0.8;
  double min_screening_pass_rate = 0.2;
  double min_onboarding_pass_rate = 0.2;
  double max_empty_submission_share = 0.1;
  double max_fast_submission_share = 0.25;
  // A standard submission is "fast" below this fraction of the run's median time per unit.
  double fast_submission_fraction = 0.25;
};

// One key of the `monitoring` group: a fraction in [0, 1] (or (0, 1] without zero).
struct QualityMonitorSetting {
  const char* key;  // also the task_runs column
  double QualityMonitors::*field;
  bool zero_allowed;
  // Exported as throng_operator_run_quality_threshold{monitor=key} (the fraction is not a
  // threshold of a measured ratio, so it is not).
  bool exported;
  const char* meaning;
};

const std::vector<QualityMonitorSetting>& QualityMonitorSettings();

// Reads the `monitoring` group (absent: the defaults). Errors name the key and its range; an
// unknown key lists the known ones.
Result<QualityMonitors> ParseQualityMonitors(const YAML::Node& monitoring);

// One value as written on a command line or in YAML, checked against the setting's range.
Result<double> ParseQualityMonitorValue(const QualityMonitorSetting& setting,
                                        const std::string& text);

}  // namespace throng::operator_

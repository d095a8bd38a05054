#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// A screening or gold unit from the task config: what the page gets as init_task_data, and
// the answer key its submission (final_data) is checked against, with the same exact-match
// rule as onboarding answers. Stands in for Mephisto's screening_data_factory /
// get_gold_for_worker and the validation functions, which are Python code there.
struct ValidationUnit {
  nlohmann::json data = nlohmann::json::object();
  nlohmann::json answers = nlohmann::json::object();
};

// Mephisto's ScreenTaskRequired: a worker without passed_qualification first gets a screening
// unit; passing grants passed_qualification (1), failing grants the run's block_qualification.
struct ScreeningRules {
  std::string passed_qualification;   // blueprint.passed_qualification_name
  int max_units = 0;                  // blueprint.max_screening_units: screening units in all
  std::vector<ValidationUnit> units;  // blueprint.screening_units, handed out round robin
};

// Mephisto's UseGoldUnit: known-answer units mixed into a worker's queue, tracked in the
// qualifications <base>-correct-golds, <base>-wrong-golds and <base>-completed-count.
struct GoldRules {
  std::string qualification_base;     // blueprint.gold_qualification_base
  int max_units = 0;                  // blueprint.max_gold_units: gold units in all
  int min_golds = 1;                  // blueprint.min_golds: correct golds before real units
  int max_incorrect_golds = 0;        // blueprint.max_incorrect_golds: more is disqualifying
  std::vector<ValidationUnit> units;  // blueprint.gold_units

  // Granted once a worker has more than max_incorrect_golds wrong; refused from then on.
  std::string DisqualifiedQualification() const { return qualification_base + "-disqualified"; }
};

// Both read from the blueprint group (use_screening_task / use_golds turn them on); nullopt
// when off. They need task.allowed_concurrent: 1 and single-unit assignments, as Mephisto,
// so a worker finishes a screening or gold unit before the next unit is chosen.
Result<std::optional<ScreeningRules>> ParseScreeningRules(const YAML::Node& blueprint,
                                                          const YAML::Node& task);
Result<std::optional<GoldRules>> ParseGoldRules(const YAML::Node& blueprint,
                                                const YAML::Node& task);

}  // namespace throng::operator_

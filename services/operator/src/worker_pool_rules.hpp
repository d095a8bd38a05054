#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "qualification_requirement.hpp"
#include "throng/common/error.hpp"
#include "validation_unit_rules.hpp"

namespace throng::operator_ {

// Onboarding as Mephisto's OnboardingRequired blueprints: a worker without the qualification
// first gets an onboarding agent showing `data`; its submission is checked against `answers`.
struct OnboardingRules {
  std::string qualification;                       // blueprint.onboarding_qualification
  nlohmann::json data = nlohmann::json::object();  // blueprint.onboarding_data
  // blueprint.onboarding_answers: every key must be in the submitted onboarding_data with an
  // equal JSON value (checked in PostgreSQL, see migration 0006).
  nlohmann::json answers = nlohmann::json::object();

  std::string FailedQualification() const { return qualification + "-failed"; }
};

// Who may work on a run (SPEC O3), from the task config.
struct WorkerPoolRules {
  std::vector<QualificationRequirement> qualifications;  // task.qualifications
  std::string block_qualification;                       // blueprint.block_qualification
  std::optional<OnboardingRules> onboarding;
  std::optional<ScreeningRules> screening;
  std::optional<GoldRules> golds;

  // What registration checks: the configured requirements plus what Mephisto appends itself,
  // block_qualification DoesNotExist and <onboarding_qualification>-failed DoesNotExist (a
  // worker who failed onboarding is refused for good); with golds, <base>-disqualified
  // DoesNotExist (Mephisto uses <base>-wrong-golds, which would make max_incorrect_golds moot).
  std::vector<QualificationRequirement> EnforcedRequirements() const;
};

// The qualification that blocks a worker from every run of a requester (Mephisto's
// provider-level block_worker): each run requires it absent, whatever its config says.
std::string RequesterBlockQualification(const std::string& requester_name);

// Reads blueprint.block_qualification, blueprint.onboarding_qualification,
// blueprint.onboarding_data, blueprint.onboarding_answers, the screening and gold keys (see
// validation_unit_rules.hpp) and task.qualifications (any may be absent). Errors name the key
// and what is wrong with it.
Result<WorkerPoolRules> ParseWorkerPoolRules(const YAML::Node& blueprint, const YAML::Node& task);

}  // namespace throng::operator_

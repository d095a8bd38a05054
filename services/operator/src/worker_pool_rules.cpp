#include "worker_pool_rules.hpp"

#include "yaml_to_json.hpp"

namespace throng::operator_ {

namespace {

using nlohmann::json;

// A qualification name from the config: absent or null is "", anything but a non-empty
// string is an error.
Result<std::string> ReadName(const YAML::Node& group, const std::string& where) {
  auto value = YamlToJson(group);
  if (value.is_null()) return std::string();
  if (!value.is_string() || value.get<std::string>().empty()) {
    return Fail(where + " must be a qualification name (a non-empty string)");
  }
  return value.get<std::string>();
}

}  // namespace

std::string RequesterBlockQualification(const std::string& requester_name) {
  return "blocked-by-requester:" + requester_name;
}

std::vector<QualificationRequirement> WorkerPoolRules::EnforcedRequirements() const {
  auto enforced = qualifications;
  if (!block_qualification.empty()) {
    enforced.push_back({block_qualification, "DoesNotExist", nullptr});
  }
  if (onboarding) enforced.push_back({onboarding->FailedQualification(), "DoesNotExist", nullptr});
  if (golds) enforced.push_back({golds->DisqualifiedQualification(), "DoesNotExist", nullptr});
  return enforced;
}

Result<WorkerPoolRules> ParseWorkerPoolRules(const YAML::Node& blueprint, const YAML::Node& task) {
  WorkerPoolRules rules;
  auto block = ReadName(blueprint["block_qualification"], "blueprint.block_qualification");
  if (!block) return tl::unexpected(block.error());
  rules.block_qualification = *block;

  auto onboarding =
      ReadName(blueprint["onboarding_qualification"], "blueprint.onboarding_qualification");
  if (!onboarding) return tl::unexpected(onboarding.error());
  auto data = YamlToJson(blueprint["onboarding_data"]);
  auto answers = YamlToJson(blueprint["onboarding_answers"]);
  if (onboarding->empty()) {
    if (!data.is_null() || !answers.is_null()) {
      return Fail(
          "blueprint.onboarding_data and blueprint.onboarding_answers need "
          "blueprint.onboarding_qualification (the qualification that passing onboarding "
          "grants)");
    }
  } else {
    OnboardingRules rules_of_onboarding;
    rules_of_onboarding.qualification = *onboarding;
    if (!data.is_null()) {
      if (!data.is_object()) {
        return Fail(
            "blueprint.onboarding_data must be a mapping (the onboarding page's "
            "init_task_data)");
      }
      rules_of_onboarding.data = data;
    }
    // Without a key every submission would pass, which a typo in the key's name would cause
    // silently: require it.
    if (!answers.is_object() || answers.empty()) {
      return Fail(
          "blueprint.onboarding_answers must be a non-empty mapping: the answer key, each "
          "key's expected value in the submitted onboarding_data");
    }
    rules_of_onboarding.answers = answers;
    if (rules_of_onboarding.qualification == rules.block_qualification) {
      return Fail(
          "blueprint.onboarding_qualification and blueprint.block_qualification must "
          "differ");
    }
    rules.onboarding = std::move(rules_of_onboarding);
  }

  auto screening = ParseScreeningRules(blueprint, task);
  if (!screening) return tl::unexpected(screening.error());
  rules.screening = std::move(*screening);
  auto golds = ParseGoldRules(blueprint, task);
  if (!golds) return tl::unexpected(golds.error());
  rules.golds = std::move(*golds);
  if (rules.screening && rules.screening->passed_qualification == rules.block_qualification) {
    return Fail(
        "blueprint.passed_qualification_name and blueprint.block_qualification must "
        "differ");
  }
  if (rules.screening && rules.golds) {
    return Fail(
        "blueprint.use_screening_task and blueprint.use_golds cannot be combined (as in "
        "Mephisto)");
  }

  auto listed = YamlToJson(task["qualifications"]);
  if (!listed.is_null() && !listed.is_array()) {
    return Fail("task.qualifications must be a list of {qualification_name, comparator, value}");
  }
  for (std::size_t i = 0; listed.is_array() && i < listed.size(); ++i) {
    auto requirement =
        ParseQualificationRequirement(listed[i], "task.qualifications[" + std::to_string(i) + "]");
    if (!requirement) return tl::unexpected(requirement.error());
    rules.qualifications.push_back(std::move(*requirement));
  }
  return rules;
}

}  // namespace throng::operator_

#include "validation_unit_rules.hpp"

#include "yaml_to_json.hpp"

namespace throng::operator_ {

namespace {

using nlohmann::json;

bool IsInteger(const json& value) {
  return value.is_number_integer() || value.is_number_unsigned();
}

// Whether `switch_key` (use_screening_task, use_golds) is on; absent is off.
Result<bool> Enabled(const YAML::Node& blueprint, const std::string& switch_key) {
  auto value = YamlToJson(blueprint[switch_key]);
  if (value.is_null()) return false;
  if (!value.is_boolean()) return Fail("blueprint." + switch_key + " must be true or false");
  return value.get<bool>();
}

Result<std::string> RequiredName(const YAML::Node& blueprint, const std::string& key,
                                 const std::string& purpose) {
  auto value = YamlToJson(blueprint[key]);
  if (!value.is_string() || value.get<std::string>().empty()) {
    return Fail("blueprint." + key + " must be a qualification name (" + purpose + ")");
  }
  return value.get<std::string>();
}

// An integer setting at least `minimum`; `fallback` when absent (nullopt: required).
Result<int> Count(const YAML::Node& blueprint, const std::string& key, int minimum,
                  std::optional<int> fallback) {
  auto value = YamlToJson(blueprint[key]);
  if (value.is_null() && fallback) return *fallback;
  if (!IsInteger(value) || value.get<long long>() < minimum || value.get<long long>() > 1'000'000) {
    return Fail("blueprint." + key + " must be an integer from " + std::to_string(minimum) +
                " to 1000000");
  }
  return value.get<int>();
}

Result<std::vector<ValidationUnit>> Units(const YAML::Node& blueprint, const std::string& key) {
  auto listed = YamlToJson(blueprint[key]);
  if (!listed.is_array() || listed.empty()) {
    return Fail("blueprint." + key + " must be a non-empty list of {data, answers}");
  }
  std::vector<ValidationUnit> units;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const auto& entry = listed[i];
    auto where = "blueprint." + key + "[" + std::to_string(i) + "]";
    if (!entry.is_object()) return Fail(where + " must be a mapping with data and answers");
    for (const auto& [name, unused] : entry.items()) {
      if (name != "data" && name != "answers") {
        return Fail(where + " has an unknown key '" + name + "' (known: data, answers)");
      }
    }
    ValidationUnit unit;
    if (entry.contains("data")) unit.data = entry["data"];
    if (!unit.data.is_object()) return Fail(where + ".data must be a mapping (init_task_data)");
    unit.answers = entry.value("answers", json());
    if (!unit.answers.is_object() || unit.answers.empty()) {
      return Fail(where +
                  ".answers must be a non-empty mapping: the answer key, each key's "
                  "expected value in the submitted final_data");
    }
    units.push_back(std::move(unit));
  }
  return units;
}

// Mephisto asserts allowed_concurrent == 1 for screening and golds; single-unit assignments
// keep a made-for-one-worker unit from waiting for partners.
Result<void> RequireOneUnitAtATime(const YAML::Node& blueprint, const YAML::Node& task,
                                   const std::string& feature) {
  if (YamlToJson(task["allowed_concurrent"]) != json(1)) {
    return Fail(feature + " needs task.allowed_concurrent: 1 (one unit at a time per worker)");
  }
  auto per_assignment = YamlToJson(blueprint["units_per_assignment"]);
  if (!per_assignment.is_null() && per_assignment != json(1)) {
    return Fail(feature + " needs blueprint.units_per_assignment: 1");
  }
  return {};
}

}  // namespace

Result<std::optional<ScreeningRules>> ParseScreeningRules(const YAML::Node& blueprint,
                                                          const YAML::Node& task) {
  auto enabled = Enabled(blueprint, "use_screening_task");
  if (!enabled) return tl::unexpected(enabled.error());
  if (!*enabled) return std::nullopt;
  if (auto ok = RequireOneUnitAtATime(blueprint, task, "use_screening_task"); !ok) {
    return tl::unexpected(ok.error());
  }
  if (YamlToJson(blueprint["block_qualification"]).is_null()) {
    return Fail(
        "use_screening_task needs blueprint.block_qualification: workers who fail screening are "
        "granted it");
  }
  ScreeningRules rules;
  auto passed =
      RequiredName(blueprint, "passed_qualification_name", "granted to workers who pass screening");
  if (!passed) return tl::unexpected(passed.error());
  rules.passed_qualification = *passed;
  auto max_units = Count(blueprint, "max_screening_units", 1, std::nullopt);
  if (!max_units) return tl::unexpected(max_units.error());
  rules.max_units = *max_units;
  auto units = Units(blueprint, "screening_units");
  if (!units) return tl::unexpected(units.error());
  rules.units = std::move(*units);
  return rules;
}

Result<std::optional<GoldRules>> ParseGoldRules(const YAML::Node& blueprint,
                                                const YAML::Node& task) {
  auto enabled = Enabled(blueprint, "use_golds");
  if (!enabled) return tl::unexpected(enabled.error());
  if (!*enabled) return std::nullopt;
  if (auto ok = RequireOneUnitAtATime(blueprint, task, "use_golds"); !ok) {
    return tl::unexpected(ok.error());
  }
  GoldRules rules;
  auto base = RequiredName(blueprint, "gold_qualification_base",
                           "the prefix of the qualifications that count a worker's golds");
  if (!base) return tl::unexpected(base.error());
  rules.qualification_base = *base;
  auto max_units = Count(blueprint, "max_gold_units", 1, std::nullopt);
  if (!max_units) return tl::unexpected(max_units.error());
  rules.max_units = *max_units;
  auto min_golds = Count(blueprint, "min_golds", 0, 1);
  if (!min_golds) return tl::unexpected(min_golds.error());
  rules.min_golds = *min_golds;
  auto max_incorrect = Count(blueprint, "max_incorrect_golds", 0, 0);
  if (!max_incorrect) return tl::unexpected(max_incorrect.error());
  rules.max_incorrect_golds = *max_incorrect;
  auto units = Units(blueprint, "gold_units");
  if (!units) return tl::unexpected(units.error());
  rules.units = std::move(*units);
  return rules;
}

}  // namespace throng::operator_

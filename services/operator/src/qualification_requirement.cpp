#include "qualification_requirement.hpp"

#include <array>
#include <utility>

namespace throng::operator_ {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<const char*, const char*>, 10> kSpellings{{
    {">", "GreaterThan"},
    {">=", "GreaterThanOrEqualTo"},
    {"<", "LessThan"},
    {"<=", "LessThanOrEqualTo"},
    {"==", "EqualTo"},
    {"!=", "NotEqualTo"},
    {"exists", "Exists"},
    {"does not exist", "DoesNotExist"},
    {"in list", "In"},
    {"not in list", "NotIn"},
}};

bool IsInteger(const json& value) {
  return value.is_number_integer() || value.is_number_unsigned();
}

}  // namespace

std::optional<std::string> CanonicalComparator(const std::string& text) {
  for (const auto& [spelling, name] : kSpellings) {
    if (text == spelling || text == name) return std::string(name);
  }
  return std::nullopt;
}

Result<QualificationRequirement> ParseQualificationRequirement(const json& entry,
                                                               const std::string& where) {
  if (!entry.is_object()) {
    return Fail(where + " must be a mapping with qualification_name, comparator and value");
  }
  for (const auto& [key, unused] : entry.items()) {
    if (key != "qualification_name" && key != "comparator" && key != "value" &&
        key != "applicable_providers") {
      return Fail(where + " has an unknown key '" + key +
                  "' (known: qualification_name, comparator, value, applicable_providers)");
    }
  }
  QualificationRequirement requirement;
  auto name = entry.value("qualification_name", json());
  if (!name.is_string() || name.get<std::string>().empty()) {
    return Fail(where + ".qualification_name must be a non-empty string");
  }
  requirement.qualification_name = name.get<std::string>();

  auto comparator_text = entry.value("comparator", json());
  auto comparator = comparator_text.is_string()
                        ? CanonicalComparator(comparator_text.get<std::string>())
                        : std::nullopt;
  if (!comparator) {
    return Fail(where +
                ".comparator must be one of Mephisto's comparators: GreaterThan (>), "
                "GreaterThanOrEqualTo (>=), LessThan (<), LessThanOrEqualTo (<=), EqualTo (==), "
                "NotEqualTo (!=), Exists (exists), DoesNotExist (does not exist), In (in list), "
                "NotIn (not in list)");
  }
  requirement.comparator = *comparator;

  auto value = entry.value("value", json());
  if (requirement.comparator == "Exists" || requirement.comparator == "DoesNotExist") {
    if (!value.is_null()) {
      return Fail(where + ".value must be absent (or null) for " + requirement.comparator);
    }
  } else if (requirement.comparator == "In" || requirement.comparator == "NotIn") {
    bool integers = value.is_array();
    for (const auto& item : value) integers = integers && IsInteger(item);
    if (!integers) {
      return Fail(where + ".value must be a list of integers for " + requirement.comparator +
                  " (granted qualification values are integers)");
    }
  } else if (!IsInteger(value)) {
    return Fail(where + ".value must be an integer for " + requirement.comparator +
                " (granted qualification values are integers)");
  }
  requirement.value = value;

  auto providers = entry.value("applicable_providers", json());
  bool names = providers.is_null() || providers.is_array();
  for (const auto& item : providers) names = names && item.is_string();
  if (!names) return Fail(where + ".applicable_providers must be a list of provider names");
  return requirement;
}

}  // namespace throng::operator_

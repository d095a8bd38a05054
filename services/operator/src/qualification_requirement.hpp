#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// One requirement a worker must meet to register, as Mephisto's qualification dicts
// ({qualification_name, comparator, value, applicable_providers}). It is checked against the
// worker's granted value of the qualification (an integer) inside PostgreSQL.
struct QualificationRequirement {
  std::string qualification_name;
  std::string comparator;  // Mephisto's name: GreaterThan ... NotIn (see CanonicalComparator)
  // null for Exists/DoesNotExist, an integer for the comparisons, an array of integers for
  // In/NotIn.
  nlohmann::json value;
};

// Mephisto's comparator name for what a config says: Mephisto's own names (GreaterThan,
// GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo, EqualTo, NotEqualTo, Exists,
// DoesNotExist, In, NotIn) or the spellings ">", ">=", "<", "<=", "==", "!=", "exists",
// "does not exist", "in list", "not in list". nullopt for anything else.
std::optional<std::string> CanonicalComparator(const std::string& text);

// Validates one entry of task.qualifications; `where` names it in errors (task.qualifications[2]).
// `applicable_providers` is accepted (null or a list of names) and not used: throng enforces
// every requirement itself, whatever the provider.
Result<QualificationRequirement> ParseQualificationRequirement(const nlohmann::json& entry,
                                                               const std::string& where);

}  // namespace throng::operator_

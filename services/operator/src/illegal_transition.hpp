#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace throng::operator_ {

// The SQLSTATE the status triggers raise for a transition their table does not allow
// (migration 0009, SPEC O5).
inline constexpr const char* kIllegalTransitionSqlstate = "TH001";

// A status change the database refused.
struct IllegalTransition {
  std::string entity;   // agent | unit | onboarding_agent (unknown if the text changed)
  std::string message;  // "illegal status transition of unit 42: 'completed' -> 'launched'"
};

// The refusal `error` carries, or nullopt for any other database error.
std::optional<IllegalTransition> AsIllegalTransition(const pqxx::sql_error& error);

}  // namespace throng::operator_

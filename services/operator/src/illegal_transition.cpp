#include "illegal_transition.hpp"

#include <string_view>

namespace throng::operator_ {

namespace {

// The start of the trigger's message; the entity follows it.
constexpr std::string_view kMessageStart = "illegal status transition of ";

}  // namespace

std::optional<IllegalTransition> AsIllegalTransition(const pqxx::sql_error& error) {
  if (error.sqlstate() != kIllegalTransitionSqlstate) return std::nullopt;
  // what() is libpq's whole report ("ERROR:  <message>\nHINT: ...\nCONTEXT: ..."): keep the
  // message line, and an entity from the known set so the metric's labels stay bounded.
  std::string_view text = error.what();
  auto start = text.find(kMessageStart);
  if (start == std::string_view::npos) start = 0;
  auto line = text.substr(start, text.find('\n', start) - start);
  IllegalTransition refusal{"unknown", std::string(line)};
  if (line.starts_with(kMessageStart)) {
    auto named = line.substr(kMessageStart.size());
    named = named.substr(0, named.find(' '));
    for (std::string_view entity : {"agent", "unit", "onboarding_agent"}) {
      if (named == entity) refusal.entity = entity;
    }
  }
  return refusal;
}

}  // namespace throng::operator_

#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "throng/common/agent_credentials.hpp"

namespace throng::operator_ {

// Agent ids between the operator's rows and the browsers: every id the operator hands out is a
// credential (see AgentCredentials), and every id that comes back is verified before it names
// a row, so a page can only act as the agent it registered as.
class AgentIds {
 public:
  explicit AgentIds(AgentCredentials credentials) : credentials_(std::move(credentials)) {}

  std::string Task(std::int64_t agent_id) const;
  // Mephisto's "onboarding_<id>": browsers recognise onboarding agents by the prefix.
  std::string Onboarding(std::int64_t onboarding_agent_id) const;

  // The row of a task agent's id, or nullopt: forged, altered, malformed or an onboarding id.
  std::optional<std::int64_t> ParseTask(const std::string& agent_id) const;
  std::optional<std::int64_t> ParseOnboarding(const std::string& agent_id) const;
  // For logs: the row an id names ("17", "onboarding_4") or "unverified".
  std::string Describe(const std::string& agent_id) const;

  const AgentCredentials& credentials() const { return credentials_; }

 private:
  AgentCredentials credentials_;
};

// The cluster's credential key, made by migration 0014.
AgentCredentials LoadAgentCredentials(pqxx::connection& connection);

}  // namespace throng::operator_

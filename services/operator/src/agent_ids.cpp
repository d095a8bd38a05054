#include "agent_ids.hpp"

#include <stdexcept>
#include <string_view>

#include "database_id.hpp"

namespace throng::operator_ {

namespace {

constexpr std::string_view kOnboardingPrefix = "onboarding_";

}  // namespace

std::string AgentIds::Task(std::int64_t agent_id) const {
  return credentials_.Issue(std::to_string(agent_id));
}

std::string AgentIds::Onboarding(std::int64_t onboarding_agent_id) const {
  return credentials_.Issue(std::string(kOnboardingPrefix) + std::to_string(onboarding_agent_id));
}

std::optional<std::int64_t> AgentIds::ParseTask(const std::string& agent_id) const {
  auto subject = credentials_.Verify(agent_id);
  return subject ? ParseDatabaseId(*subject) : std::nullopt;
}

std::optional<std::int64_t> AgentIds::ParseOnboarding(const std::string& agent_id) const {
  auto subject = credentials_.Verify(agent_id);
  if (!subject || subject->rfind(kOnboardingPrefix, 0) != 0) return std::nullopt;
  return ParseDatabaseId(subject->substr(kOnboardingPrefix.size()));
}

std::string AgentIds::Describe(const std::string& agent_id) const {
  return credentials_.Verify(agent_id).value_or("unverified");
}

AgentCredentials LoadAgentCredentials(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  auto rows = tx.exec("SELECT secret FROM cluster_secrets WHERE name = 'agent_credential_key'");
  if (rows.empty())
    throw std::runtime_error("the agent credential key is missing (migration 0014)");
  pqxx::binarystring secret(rows[0][0]);
  return AgentCredentials(secret.str());
}

}  // namespace throng::operator_

#pragma once

#include <string>

#include "agent_ids.hpp"

namespace throng::testing {

// The operator's agent ids under a fixed test key, for tests that build packets by hand.
inline const operator_::AgentIds& TestAgentIds() {
  static const operator_::AgentIds ids{
      AgentCredentials(std::string(AgentCredentials::kMinKeyBytes, 'k'))};
  return ids;
}

}  // namespace throng::testing

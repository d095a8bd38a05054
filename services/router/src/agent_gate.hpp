#pragma once

#include <optional>
#include <string>

#include "throng/common/agent_credentials.hpp"

namespace throng::router {

// The router's check of the agent ids browsers send: each must be one the operator issued
// (AgentCredentials), so a page can act only as the agent it registered as. The key comes with
// the operator's heartbeat; until the first one nothing can be checked, and nothing is let in.
class AgentGate {
 public:
  enum class Verdict { kIssued, kForged, kNoKeyYet };

  // From a heartbeat; an empty or unchanged key changes nothing.
  void SetKey(const std::string& key);
  Verdict Check(const std::string& agent_id) const;

 private:
  std::optional<AgentCredentials> credentials_;
};

}  // namespace throng::router

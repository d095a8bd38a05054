#include "agent_gate.hpp"

#include <spdlog/spdlog.h>

namespace throng::router {

void AgentGate::SetKey(const std::string& key) {
  if (key.empty() || (credentials_ && credentials_->key() == key)) return;
  if (key.size() < AgentCredentials::kMinKeyBytes) {
    spdlog::error("the operator sent an agent credential key of {} bytes; ignored", key.size());
    return;
  }
  credentials_.emplace(key);
}

AgentGate::Verdict AgentGate::Check(const std::string& agent_id) const {
  if (!credentials_) return Verdict::kNoKeyYet;
  return credentials_->Verify(agent_id) ? Verdict::kIssued : Verdict::kForged;
}

}  // namespace throng::router

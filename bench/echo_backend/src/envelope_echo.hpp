#pragma once

#include <cstdint>
#include <vector>

#include "packet_counters.hpp"
#include "throng/common/agent_credentials.hpp"
#include "throng/common/clock.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::echo {

// The operator's side of the router protocol reduced to immediate answers: every agent gets
// a credential-signed id and is put in task, every submission is acknowledged, every live
// update comes straight back to its sender. No state beyond two counters.
class EnvelopeEcho {
 public:
  EnvelopeEcho(AgentCredentials credentials, const Clock& clock, PacketCounters& counters);

  // Appends to `out` the envelopes answering `request` (replies first, then pushes), all for
  // the router that sent it. Counts the request as received or malformed.
  void Answer(const v1::Envelope& request, std::vector<v1::Envelope>& out);

  const AgentCredentials& credentials() const { return credentials_; }

 private:
  void AnswerRegistration(const v1::Envelope& request, double received,
                          std::vector<v1::Envelope>& out);
  void EchoLiveUpdate(const v1::Envelope& request, double received, std::vector<v1::Envelope>& out);
  // A reply to a held request: same ids, timestamps carried over and stamped by this server.
  v1::Envelope Reply(const v1::Envelope& request, std::string packet_type, double received) const;
  // A packet pushed to `agent_id` on the router that sent `request`.
  v1::Envelope Push(const v1::Envelope& request, std::string packet_type,
                    const std::string& agent_id, double received) const;

  AgentCredentials credentials_;
  const Clock& clock_;
  PacketCounters& counters_;
  std::uint64_t issued_agents_ = 0;
  std::int64_t last_delivery_id_ = 0;
};

}  // namespace throng::echo

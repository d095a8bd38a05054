#include "envelope_echo.hpp"

#include <string>

#include "echo_replies.hpp"
#include "json_data_scanner.hpp"
#include "throng/common/envelope_codec.hpp"

namespace throng::echo {

EnvelopeEcho::EnvelopeEcho(AgentCredentials credentials, const Clock& clock,
                           PacketCounters& counters)
    : credentials_(std::move(credentials)), clock_(clock), counters_(counters) {}

void EnvelopeEcho::Answer(const v1::Envelope& request, std::vector<v1::Envelope>& out) {
  switch (request.kind()) {
    case v1::ENVELOPE_KIND_PACKET:
      break;
    case v1::ENVELOPE_KIND_ROUTER_HELLO:
      counters_.Received("router_hello");
      return;
    default:
      counters_.Received("unknown_kind");
      counters_.Malformed();
      return;
  }
  const auto& type = request.packet_type();
  counters_.Received(type);
  const double received = clock_.NowSeconds();
  if (type == "mephisto_bound_live_update") {
    EchoLiveUpdate(request, received, out);
  } else if (type == "live_update_delivered" || type == "log_error" || type == "disconnect") {
    // Counted only: nothing to answer.
  } else if (type == "alive") {
    // The router times this answer as its heartbeat round trip to the operator.
    if (request.agent_id().empty()) {
      counters_.Malformed();
      return;
    }
    auto push = Push(request, "update_status", request.agent_id(), received);
    push.set_payload(std::string(kInTaskStatusData));
    out.push_back(std::move(push));
  } else if (type == "register_agent" || type == "submit_onboarding") {
    AnswerRegistration(request, received, out);
  } else if (type == "submit_unit") {
    auto reply = Reply(request, "submit_ack", received);
    reply.set_payload("{}");
    out.push_back(std::move(reply));
  } else if (type == "submit_metadata") {
    auto reply = Reply(request, "metadata_ack", received);
    reply.set_payload("{}");
    out.push_back(std::move(reply));
  }
  // Any other type is counted (as "other" unless known) and dropped.
}

void EnvelopeEcho::AnswerRegistration(const v1::Envelope& request, double received,
                                      std::vector<v1::Envelope>& out) {
  if (request.request_id().empty()) {  // nobody holds a request to answer
    counters_.Malformed();
    return;
  }
  const auto number = std::to_string(++issued_agents_);
  const auto agent_id = credentials_.Issue(number);
  auto reply = Reply(request, "agent_details", received);
  reply.set_agent_id(agent_id);
  reply.set_payload(AgentDetailsData(request.request_id(), number, agent_id));
  out.push_back(std::move(reply));
  if (request.packet_type() != "register_agent") return;
  auto status = Push(request, "update_status", agent_id, received);
  status.set_payload(std::string(kInTaskStatusData));
  out.push_back(std::move(status));
}

void EnvelopeEcho::EchoLiveUpdate(const v1::Envelope& request, double received,
                                  std::vector<v1::Envelope>& out) {
  // The payload is the browser's whole frame; its `data` goes back byte for byte.
  auto data = FindDataValue(request.payload());
  if (!data || request.agent_id().empty()) {
    counters_.Malformed();
    return;
  }
  auto push = Push(request, "client_bound_live_update", request.agent_id(), received);
  push.set_payload(data->data(), data->size());
  push.set_delivery_id(++last_delivery_id_);
  out.push_back(std::move(push));
}

v1::Envelope EnvelopeEcho::Reply(const v1::Envelope& request, std::string packet_type,
                                 double received) const {
  auto reply = MakeReply(request, std::move(packet_type));
  reply.mutable_timestamps()->set_server_incoming(received);
  reply.mutable_timestamps()->set_server_outgoing(clock_.NowSeconds());
  return reply;
}

v1::Envelope EnvelopeEcho::Push(const v1::Envelope& request, std::string packet_type,
                                const std::string& agent_id, double received) const {
  auto push = Reply(request, std::move(packet_type), received);
  push.clear_request_id();  // routers take pushes by their empty request id
  push.set_agent_id(agent_id);
  return push;
}

}  // namespace throng::echo

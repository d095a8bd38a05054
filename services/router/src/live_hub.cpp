#include "live_hub.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "packet_fields.hpp"

namespace throng::router {

namespace {

using nlohmann::json;
using websocket_close = boost::beast::websocket::close_code;

constexpr std::size_t kMaxIdLength = 128;

bool ActiveStatus(const std::string& status) {
  return status == "onboarding" || status == "waiting" || status == "in task" ||
         status == "accepted";
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

LiveHub::LiveHub(const RouterConfig& config, const AgentGate& gate, OperatorLink& link,
                 RouterProbe& probe, const Clock& clock)
    : config_(config), gate_(gate), link_(link), probe_(probe), clock_(clock) {}

std::string LiveHub::Packet(const std::string& type, const std::string& subject_id,
                            const std::string& data_json, double client_timestamp,
                            double router_incoming) const {
  // `data_json` is spliced in as it is: the router never re-encodes a payload.
  return R"({"packet_type":)" + Dump(type) + R"(,"subject_id":)" + Dump(subject_id) +
         R"(,"data":)" + data_json + R"(,"client_timestamp":)" +
         (client_timestamp > 0 ? Dump(client_timestamp) : "null") +
         R"(,"router_incoming_timestamp":)" +
         (router_incoming > 0 ? Dump(router_incoming) : "null") +
         R"(,"router_outgoing_timestamp":)" + Dump(clock_.NowSeconds()) + "}";
}

void LiveHub::OnOpened(const std::shared_ptr<WsSession>& session) {
  sessions_[session->id()] = session;
  ++connections_;
  probe_.SetWebsocketConnections(static_cast<double>(connections_));
}

void LiveHub::OnClosed(WsSession* session) {
  sessions_.erase(session->id());
  if (connections_ > 0) --connections_;
  probe_.SetWebsocketConnections(static_cast<double>(connections_));
  auto it = agents_.find(session->agent_id());
  if (it == agents_.end()) return;
  auto bound = it->second.session.lock();
  if (!bound || bound.get() == session) {
    it->second.session.reset();
    it->second.socket_lost_ms = clock_.NowMillis();
  }
}

void LiveHub::OnBytesSent(std::size_t bytes) { probe_.WebsocketBytes("out", bytes); }

void LiveHub::Reject(const std::shared_ptr<WsSession>& session, const std::string& reason,
                     websocket_close code, const std::string& message) {
  probe_.Rejected(reason);
  spdlog::debug("closing websocket {}: {}", session->id(), message);
  session->Close(code, message);
}

void LiveHub::OnBinary(const std::shared_ptr<WsSession>& session) {
  Reject(session, "binary_frame", websocket_close::bad_payload, "packets must be JSON text frames");
}

void LiveHub::OnOversized(const std::shared_ptr<WsSession>&) { probe_.Rejected("frame_too_large"); }

bool LiveHub::Admit(const std::shared_ptr<WsSession>& session, const std::string& agent_id) {
  switch (gate_.Check(agent_id)) {
    case AgentGate::Verdict::kIssued:
      return true;
    case AgentGate::Verdict::kNoKeyYet:
      Reject(session, "operator_unreachable", websocket_close::try_again_later,
             "the task server's backend is not reachable yet; reconnect in a moment");
      return false;
    case AgentGate::Verdict::kForged:
      spdlog::warn("websocket {} closed: agent id '{}' was not issued by this cluster",
                   session->id(), agent_id.substr(0, 64));
      Reject(session, "forged_agent_id", websocket_close::policy_error,
             "this agent id was not issued by this server; reload the task page");
      return false;
  }
  return false;
}

void LiveHub::Bind(const std::shared_ptr<WsSession>& session, const std::string& agent_id,
                   Agent& agent) {
  auto previous = agent.session.lock();
  if (previous && previous != session) previous->set_agent_id("");
  agent.session = session;
  agent.socket_lost_ms = 0;
  session->set_agent_id(agent_id);
}

void LiveHub::OnFrame(const std::shared_ptr<WsSession>& session, std::string text) {
  auto received = clock_.NowSeconds();
  probe_.WebsocketBytes("in", text.size());
  if (!session->TakeToken(received, config_.ws_rate_limit)) {
    Reject(session, "rate_limited", websocket_close::policy_error,
           "too many packets; slow down and reconnect");
    return;
  }
  // Only the routing fields are read; the packet goes on as the browser sent it.
  auto fields = ReadPacketFields(text);
  if (!fields) {
    Reject(session, "malformed_json", websocket_close::bad_payload,
           "each frame must be one JSON packet (valid UTF-8)");
    return;
  }
  if (!fields->packet_type || !fields->subject_id || fields->subject_id->empty() ||
      fields->subject_id->size() > kMaxIdLength) {
    Reject(session, "missing_field", websocket_close::policy_error,
           "packets need packet_type and subject_id strings");
    return;
  }
  const auto& type = *fields->packet_type;
  const auto& agent_id = *fields->subject_id;
  const double client_timestamp = fields->client_timestamp;
  const bool known = type == "alive" || type == "heartbeat" || type == "mephisto_bound_live_update";
  probe_.WebsocketPacket(known ? type : "unknown");
  if (!known) {
    Reject(session, "unknown_packet_type", websocket_close::policy_error,
           "unknown packet type '" + type.substr(0, 64) + "'");
    return;
  }
  // An id is checked (an HMAC) when its socket first speaks for it, not on every packet after.
  if (session->agent_id() != agent_id && !Admit(session, agent_id)) return;

  if (type == "alive") {
    auto& agent = agents_[agent_id];
    Bind(session, agent_id, agent);
    session->Send(
        Packet("update_status", agent_id, Dump(json{{"status", agent.status}}), 0, received));
    while (!agent.queue.empty()) {
      Write(*session, agent_id, std::move(agent.queue.front()));
      agent.queue.pop_front();
    }
    ReportAlive(agent_id, agent, client_timestamp, received);
    return;
  }
  if (type == "heartbeat") {
    json data{{"last_mephisto_ping", link_.LastBeatMs()}};
    if (auto it = agents_.find(agent_id); it != agents_.end()) {
      auto& agent = it->second;
      agent.last_ping_ms = clock_.NowMillis();
      if (agent.session.lock() != session) Bind(session, agent_id, agent);
      data["status"] = agent.status;
    }
    session->Send(Packet("heartbeat", agent_id, Dump(data), client_timestamp, received));
    return;
  }
  if (type == "mephisto_bound_live_update") {
    if (session->agent_id() != agent_id) {
      Reject(session, "wrong_agent", websocket_close::policy_error,
             "send alive for this agent before its live updates");
      return;
    }
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type(type);
    envelope.set_agent_id(agent_id);
    envelope.mutable_timestamps()->set_client(client_timestamp);
    envelope.mutable_timestamps()->set_router_incoming(received);
    envelope.set_payload(std::move(text));  // forwarded as the browser sent it
    probe_.PacketToOperator(type);
    link_.Send(std::move(envelope));
    return;
  }
}

void LiveHub::ReportAlive(const std::string& agent_id, Agent& agent, double client_timestamp,
                          double received) {
  // Tells the operator which router holds this agent now (replies and updates come here).
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("alive");
  envelope.set_agent_id(agent_id);
  envelope.mutable_timestamps()->set_client(client_timestamp);
  envelope.mutable_timestamps()->set_router_incoming(received);
  agent.status_ping.Sent(received);
  link_.Send(std::move(envelope));
}

void LiveHub::ReannounceAgents() {
  std::size_t announced = 0;
  for (auto& [agent_id, agent] : agents_) {
    auto session = agent.session.lock();
    if (!session || !session->open()) continue;
    ReportAlive(agent_id, agent, 0, clock_.NowSeconds());
    ++announced;
  }
  spdlog::info("a new operator process: said alive again for the {} agents with a socket here",
               announced);
}

void LiveHub::Write(WsSession& session, const std::string& agent_id, Outgoing outgoing) {
  if (outgoing.delivery_id == 0) {
    session.Send(std::move(outgoing.packet));
    return;
  }
  // Acknowledged only once written: a frame dropped with its socket is resent by the operator.
  session.Send(std::move(outgoing.packet), [this, agent_id, delivery_id = outgoing.delivery_id] {
    v1::Envelope ack;
    ack.set_kind(v1::ENVELOPE_KIND_PACKET);
    ack.set_packet_type("live_update_delivered");
    ack.set_agent_id(agent_id);
    ack.set_delivery_id(delivery_id);
    probe_.PacketToOperator("live_update_delivered");
    link_.Send(std::move(ack));
  });
}

void LiveHub::Deliver(const std::string& agent_id, Agent& agent, Outgoing outgoing) {
  if (auto session = agent.session.lock(); session && session->open()) {
    Write(*session, agent_id, std::move(outgoing));
    return;
  }
  if (agent.queue.size() >= config_.agent_queue_limit) {
    agent.queue.pop_front();  // unacknowledged: the operator still has it
    probe_.Rejected("agent_queue_full");
  }
  agent.queue.push_back(std::move(outgoing));
}

void LiveHub::OnOperatorPacket(const v1::Envelope& envelope) {
  const auto& agent_id = envelope.agent_id();
  if (agent_id.empty()) return;
  auto& agent = agents_[agent_id];
  if (envelope.packet_type() == "update_status") {
    auto give_up_after = std::chrono::duration<double>(config_.request_timeout).count();
    if (auto round_trip = agent.status_ping.Answered(clock_.NowSeconds(), give_up_after)) {
      probe_.OperatorHeartbeatRoundTrip(*round_trip);
    }
    auto data = json::parse(envelope.payload(), nullptr, false);
    if (data.is_object() && data.contains("status") && data["status"].is_string()) {
      agent.status = data["status"].get<std::string>();
    }
  }
  probe_.PacketFromOperator(envelope.packet_type());
  Outgoing outgoing{Packet(envelope.packet_type(), agent_id, envelope.payload(),
                           envelope.timestamps().client(), envelope.timestamps().router_incoming()),
                    envelope.delivery_id()};
  Deliver(agent_id, agent, std::move(outgoing));
}

void LiveHub::ReportDisconnect(const std::string& agent_id, Agent& agent, const char* why) {
  spdlog::info("agent {} disconnected ({})", agent_id, why);
  agent.status = "disconnect";
  Deliver(agent_id, agent,
          Outgoing{Packet("update_status", agent_id, R"({"status":"disconnect"})", 0, 0), 0});
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("disconnect");
  envelope.set_agent_id(agent_id);
  envelope.mutable_timestamps()->set_router_incoming(clock_.NowSeconds());
  probe_.PacketToOperator("disconnect");
  link_.Send(std::move(envelope));
}

void LiveHub::Sweep() {
  auto now = clock_.NowMillis();
  for (auto it = agents_.begin(); it != agents_.end();) {
    auto& [agent_id, agent] = *it;
    bool active = ActiveStatus(agent.status);
    if (active && agent.socket_lost_ms != 0 &&
        now - agent.socket_lost_ms > config_.reconnect_grace.count()) {
      ReportDisconnect(agent_id, agent, "socket closed and not back within the grace period");
    } else if (active && agent.last_ping_ms != 0 &&
               now - agent.last_ping_ms > config_.heartbeat_stale.count()) {
      ReportDisconnect(agent_id, agent, "heartbeats stopped");
    }
    // Agents without a socket for long, whose work is over, are dropped from memory.
    bool idle = agent.session.expired() && agent.socket_lost_ms != 0 &&
                now - agent.socket_lost_ms > 10 * config_.reconnect_grace.count();
    if (idle && !ActiveStatus(agent.status)) {
      it = agents_.erase(it);
    } else {
      ++it;
    }
  }
}

void LiveHub::CloseAll() {
  auto sessions = sessions_;  // closing edits the map
  for (auto& [id, weak] : sessions) {
    if (auto session = weak.lock()) {
      session->Close(websocket_close::going_away, "router shutting down; reconnect");
    }
  }
}

void LiveHub::Forget(const std::string& agent_id) {
  auto it = agents_.find(agent_id);
  if (it == agents_.end()) return;
  if (it->second.session.expired()) {
    agents_.erase(it);
    return;
  }
  // The page is still open, but its work is over: its socket closing later is no disconnect
  // (a thousand chats ending must not become a thousand disconnects for the operator).
  it->second.status = "completed";
}

std::size_t LiveHub::QueuedPackets(const std::string& agent_id) const {
  auto it = agents_.find(agent_id);
  return it == agents_.end() ? 0 : it->second.queue.size();
}

const std::string* LiveHub::CachedStatus(const std::string& agent_id) const {
  auto it = agents_.find(agent_id);
  return it == agents_.end() ? nullptr : &it->second.status;
}

}  // namespace throng::router

#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "agent_gate.hpp"
#include "operator_link.hpp"
#include "router_config.hpp"
#include "router_probe.hpp"
#include "status_ping.hpp"
#include "throng/common/clock.hpp"
#include "ws_session.hpp"

namespace throng::router {

// The websocket side of Mephisto's router: which agent is on which socket, each agent's cached
// status and its queue of client-bound packets not yet delivered. Answers `alive` (with the
// cached status) and `heartbeat` (with last_mephisto_ping, the epoch ms of the operator's last
// heartbeat, so pages notice a dead backend); forwards `mephisto_bound_live_update`; delivers
// `client_bound_live_update` and `update_status` from the operator, queueing them while the
// agent has no socket, and acknowledges each live update written to a socket (the operator
// resends unacknowledged ones when the agent reappears, possibly on another router). Sweep()
// reports agents whose socket stayed closed past the grace period or whose heartbeats stopped as
// `disconnect`. Times each forwarded `alive` until the operator's `update_status` for the agent
// (the operator heartbeat round trip). A packet whose subject_id is not an agent id the operator
// issued (AgentGate) closes its socket: nobody can listen or speak for another worker's agent.
// Lives on the io thread.
class LiveHub {
 public:
  LiveHub(const RouterConfig& config, const AgentGate& gate, OperatorLink& link, RouterProbe& probe,
          const Clock& clock);

  // From sessions.
  void OnOpened(const std::shared_ptr<WsSession>& session);
  void OnFrame(const std::shared_ptr<WsSession>& session, std::string text);
  void OnBinary(const std::shared_ptr<WsSession>& session);
  void OnOversized(const std::shared_ptr<WsSession>& session);
  void OnClosed(WsSession* session);
  void OnBytesSent(std::size_t bytes);

  // A new operator process: tells it, with an `alive` each, which agents have a socket here.
  void ReannounceAgents();
  // From the operator: client_bound_live_update or update_status for one agent.
  void OnOperatorPacket(const v1::Envelope& envelope);
  // Called every second.
  void Sweep();
  // Tells every open socket the router is going away (close 1001) so pages reconnect elsewhere.
  void CloseAll();
  // An agent whose work is over (submitted): dropped, or, while its page is open, no longer
  // reported as disconnected when it closes.
  void Forget(const std::string& agent_id);

  std::size_t Connections() const { return connections_; }
  std::size_t QueuedPackets(const std::string& agent_id) const;
  const std::string* CachedStatus(const std::string& agent_id) const;

 private:
  struct Outgoing {
    std::string packet;
    std::int64_t delivery_id = 0;  // the operator's id for this update; acknowledged once written
  };
  struct Agent {
    std::string status = "none";
    std::weak_ptr<WsSession> session;
    std::int64_t last_ping_ms = 0;    // last heartbeat; 0 if it never heartbeated
    std::int64_t socket_lost_ms = 0;  // when its socket closed; 0 while connected
    std::deque<Outgoing> queue;       // client-bound packets awaiting a socket
    StatusPing status_ping;           // its last alive, until the operator's status answers it
  };

  void Reject(const std::shared_ptr<WsSession>& session, const std::string& reason,
              boost::beast::websocket::close_code code, const std::string& message);
  // False, with the socket closed, unless `agent_id` was issued by the operator.
  bool Admit(const std::shared_ptr<WsSession>& session, const std::string& agent_id);
  void Bind(const std::shared_ptr<WsSession>& session, const std::string& agent_id, Agent& agent);
  void Deliver(const std::string& agent_id, Agent& agent, Outgoing outgoing);
  void Write(WsSession& session, const std::string& agent_id, Outgoing outgoing);
  void ReportDisconnect(const std::string& agent_id, Agent& agent, const char* why);
  void ReportAlive(const std::string& agent_id, Agent& agent, double client_timestamp,
                   double received);
  std::string Packet(const std::string& type, const std::string& subject_id,
                     const std::string& data_json, double client_timestamp,
                     double router_incoming) const;

  const RouterConfig& config_;
  const AgentGate& gate_;
  OperatorLink& link_;
  RouterProbe& probe_;
  const Clock& clock_;
  std::unordered_map<std::string, Agent> agents_;
  std::unordered_map<std::uint64_t, std::weak_ptr<WsSession>> sessions_;
  std::size_t connections_ = 0;
};

}  // namespace throng::router

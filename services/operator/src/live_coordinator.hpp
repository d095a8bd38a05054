#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent_ids.hpp"
#include "pg_session.hpp"
#include "throng/common/clock.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::operator_ {

// The websocket side of task runs, on PostgreSQL: stores every live update a browser sends
// (once per update_id); for the paired_chat blueprint it holds agents in a waiting room until
// their assignment is full, relays each agent's updates to its partners, and turns a
// disconnect into 'partner disconnect' for the others. Client-bound updates are stored before
// they are sent and sent again on the agent's next `alive` until a router acknowledges them,
// so an agent that comes back through another router misses nothing. Produces pushes:
// envelopes addressed by agent id (update_status, client_bound_live_update) for the operator
// to route. One instance per database worker thread.
class LiveCoordinator {
 public:
  LiveCoordinator(PgSession& db, const AgentIds& ids, const Clock& clock);

  // Packets this class handles (the rest go to the PacketHandler, which owns onboarding
  // agents, "onboarding_<id>", and their disconnects).
  static bool Handles(const v1::Envelope& packet);
  // Throws on database failure.
  std::vector<v1::Envelope> Handle(const v1::Envelope& packet);

  // After an agent_details reply that gives an agent of a live run: the agent enters the
  // waiting room and its init_task_data gets `past_live_updates` (the history mephisto-task
  // replays after a reload). Edits the reply in place; returns the status pushes.
  std::vector<v1::Envelope> AfterRegistration(v1::Envelope& agent_details);

 private:
  std::vector<v1::Envelope> OnAlive(std::int64_t agent_id);
  std::vector<v1::Envelope> OnLiveUpdate(std::int64_t agent_id, const v1::Envelope& packet);
  std::vector<v1::Envelope> OnDisconnect(std::int64_t agent_id);
  void OnDelivered(std::int64_t agent_id, std::int64_t row_id);

  v1::Envelope StatusPush(std::int64_t agent_id, const std::string& status) const;
  v1::Envelope UpdatePush(std::int64_t agent_id, std::int64_t row_id,
                          const std::string& data_json) const;

  PgSession& db_;
  const AgentIds& ids_;
  const Clock& clock_;
};

// The packet type a router sends back for each client-bound update it wrote to a socket
// (delivery_id: the update's row id).
inline constexpr const char* kLiveUpdateDelivered = "live_update_delivered";

}  // namespace throng::operator_

#include "live_coordinator.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

namespace throng::operator_ {

namespace {

using nlohmann::json;

bool IsLiveRun(pqxx::work& tx, std::int64_t agent_id) {
  auto rows = tx.exec_params(
      "SELECT r.task_type FROM agents a JOIN task_runs r ON r.task_run_id = a.task_run_id "
      "WHERE a.agent_id = $1",
      agent_id);
  return !rows.empty() && rows[0][0].as<std::string>() == "paired_chat";
}

// (agent, new status) rows from throng_live_agent_ready / throng_live_disconnect.
template <typename Push>
void CollectStatuses(const pqxx::result& rows, Push&& push) {
  for (const auto& row : rows) push(row[0].as<std::int64_t>(), row[1].as<std::string>());
}

}  // namespace

LiveCoordinator::LiveCoordinator(PgSession& db, const AgentIds& ids, const Clock& clock)
    : db_(db), ids_(ids), clock_(clock) {}

bool LiveCoordinator::Handles(const v1::Envelope& packet) {
  const auto& type = packet.packet_type();
  if (type == "disconnect") return packet.agent_id().rfind("onboarding", 0) != 0;
  return type == "alive" || type == "mephisto_bound_live_update" || type == kLiveUpdateDelivered;
}

std::vector<v1::Envelope> LiveCoordinator::Handle(const v1::Envelope& packet) {
  auto agent_id = ids_.ParseTask(packet.agent_id());
  if (!agent_id) {
    // Onboarding agents ("onboarding_<id>") have no live state; other ids are forged or junk.
    spdlog::debug("{} for agent '{}' ignored: not a task agent id", packet.packet_type(),
                  packet.agent_id().substr(0, 64));
    return {};
  }
  const auto& type = packet.packet_type();
  if (type == "alive") return OnAlive(*agent_id);
  if (type == "mephisto_bound_live_update") return OnLiveUpdate(*agent_id, packet);
  if (type == "disconnect") return OnDisconnect(*agent_id);
  OnDelivered(*agent_id, packet.delivery_id());
  return {};
}

v1::Envelope LiveCoordinator::StatusPush(std::int64_t agent_id, const std::string& status) const {
  v1::Envelope push;
  push.set_kind(v1::ENVELOPE_KIND_PACKET);
  push.set_packet_type("update_status");
  push.set_agent_id(ids_.Task(agent_id));
  push.set_payload(json{{"status", status}}.dump());
  push.mutable_timestamps()->set_server_outgoing(clock_.NowSeconds());
  return push;
}

v1::Envelope LiveCoordinator::UpdatePush(std::int64_t agent_id, std::int64_t row_id,
                                         const std::string& data_json) const {
  v1::Envelope push;
  push.set_kind(v1::ENVELOPE_KIND_PACKET);
  push.set_packet_type("client_bound_live_update");
  push.set_agent_id(ids_.Task(agent_id));
  push.set_delivery_id(row_id);  // the router acknowledges delivery with it
  push.set_payload(data_json);
  push.mutable_timestamps()->set_server_outgoing(clock_.NowSeconds());
  return push;
}

std::vector<v1::Envelope> LiveCoordinator::OnAlive(std::int64_t agent_id) {
  return db_.Timed("live_alive", [&](pqxx::connection& c) {
    std::vector<v1::Envelope> pushes;
    pqxx::work tx(c);
    if (!IsLiveRun(tx, agent_id)) return pushes;
    bool told_self = false;
    CollectStatuses(tx.exec_params("SELECT * FROM throng_live_agent_ready($1)", agent_id),
                    [&](std::int64_t agent, const std::string& status) {
                      told_self = told_self || agent == agent_id;
                      pushes.push_back(StatusPush(agent, status));
                    });
    // The page (maybe on a new router that knows nothing of it) learns its status, then
    // everything sent to it that no router has acknowledged yet, in order.
    if (!told_self) {
      auto status = tx.exec_params("SELECT status FROM agents WHERE agent_id = $1", agent_id);
      if (!status.empty()) pushes.push_back(StatusPush(agent_id, status[0][0].as<std::string>()));
    }
    auto pending = tx.exec_params(
        "SELECT id, data::text FROM live_updates "
        "WHERE agent_id = $1 AND direction = 'to_client' AND delivered_at IS NULL ORDER BY id",
        agent_id);
    for (const auto& row : pending) {
      pushes.push_back(UpdatePush(agent_id, row[0].as<std::int64_t>(), row[1].as<std::string>()));
    }
    tx.commit();
    return pushes;
  });
}

std::vector<v1::Envelope> LiveCoordinator::OnLiveUpdate(std::int64_t agent_id,
                                                        const v1::Envelope& packet) {
  auto parsed = json::parse(packet.payload(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    spdlog::warn("dropping live update of agent {}: not a JSON packet", agent_id);
    return {};
  }
  json data = parsed.contains("data") ? parsed["data"] : json::object();
  if (!data.is_object()) data = json{{"value", data}};
  std::string update_id;
  if (auto it = data.find("update_id"); it != data.end() && it->is_string()) {
    update_id = it->get<std::string>();
  } else {
    // mephisto-task always sets one; without it a resend cannot be recognised, so key the
    // update by its arrival at the router.
    update_id = "router:" + packet.router_id() + ":" +
                std::to_string(packet.timestamps().router_incoming());
    data["update_id"] = update_id;
  }
  const auto data_json = data.dump();
  return db_.Timed("live_relay", [&](pqxx::connection& c) {
    std::vector<v1::Envelope> pushes;
    // One statement, committed on its own: the update and its copies are stored together in
    // one round trip (a transaction around it took four: BEGIN, a check, the relay, COMMIT).
    // An unknown agent is refused by the foreign key.
    pqxx::nontransaction tx(c);
    pqxx::result copies;
    try {
      copies = tx.exec_prepared(
          db_.Prepared("live_relay", "SELECT * FROM throng_live_relay($1, $2, $3::jsonb)"),
          agent_id, update_id, data_json);
    } catch (const pqxx::foreign_key_violation&) {
      spdlog::warn("dropping live update {} for unknown agent {}", update_id, agent_id);
      return pushes;
    }
    for (const auto& row : copies) {
      pushes.push_back(UpdatePush(row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), data_json));
    }
    return pushes;
  });
}

std::vector<v1::Envelope> LiveCoordinator::OnDisconnect(std::int64_t agent_id) {
  return db_.Timed("live_disconnect", [&](pqxx::connection& c) {
    std::vector<v1::Envelope> pushes;
    pqxx::work tx(c);
    CollectStatuses(tx.exec_params("SELECT * FROM throng_live_disconnect($1)", agent_id),
                    [&](std::int64_t agent, const std::string& status) {
                      if (agent == agent_id) {
                        spdlog::info("agent {} disconnected", agent_id);
                      } else {
                        pushes.push_back(StatusPush(agent, status));
                      }
                    });
    tx.commit();
    return pushes;
  });
}

void LiveCoordinator::OnDelivered(std::int64_t agent_id, std::int64_t row_id) {
  if (row_id <= 0) return;
  db_.Timed("live_delivered", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: no BEGIN and COMMIT round trips
    tx.exec_prepared(db_.Prepared("live_delivered",
                                  "UPDATE live_updates SET delivered_at = now() "
                                  "WHERE id = $1 AND agent_id = $2 AND delivered_at IS NULL"),
                     row_id, agent_id);
    return 0;
  });
}

std::vector<v1::Envelope> LiveCoordinator::AfterRegistration(v1::Envelope& agent_details) {
  auto agent_id = ids_.ParseTask(agent_details.agent_id());
  if (!agent_id) return {};  // refused, or an onboarding agent
  return db_.Timed("live_registered", [&](pqxx::connection& c) {
    std::vector<v1::Envelope> pushes;
    pqxx::work tx(c);
    if (!IsLiveRun(tx, *agent_id)) return pushes;
    CollectStatuses(tx.exec_params("SELECT * FROM throng_live_agent_ready($1)", *agent_id),
                    [&](std::int64_t agent, const std::string& status) {
                      pushes.push_back(StatusPush(agent, status));
                    });
    // A page reload starts from the history; what it contains needs no resend.
    auto history = tx.exec_params(
        "WITH shown AS (UPDATE live_updates SET delivered_at = now() "
        "  WHERE agent_id = $1 AND direction = 'to_client' AND delivered_at IS NULL) "
        "SELECT data::text FROM live_updates WHERE agent_id = $1 ORDER BY id",
        *agent_id);
    tx.commit();
    auto reply = json::parse(agent_details.payload(), nullptr, false);
    if (reply.is_object() && reply["init_task_data"].is_object()) {
      auto past = json::array();
      for (const auto& row : history) {
        past.push_back(json::parse(row[0].as<std::string>(), nullptr, false));
      }
      reply["init_task_data"]["past_live_updates"] = std::move(past);
      agent_details.set_payload(reply.dump());
    }
    return pushes;
  });
}

}  // namespace throng::operator_

#include "worker_packets.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

namespace throng::loadgen {

using nlohmann::json;

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

std::string Timestamp() { return json(WallSeconds()).dump(); }

}  // namespace

std::string RequestAgentBody(const std::string& worker_name, const std::string& assignment_id) {
  json provider{{"worker_name", worker_name},
                {"agent_registration_id", assignment_id + "-" + worker_name},
                {"assignment_id", assignment_id},
                {"provider_type", "mock"}};
  return json{{"provider_data", provider}, {"client_timestamp", WallSeconds()}}.dump();
}

std::optional<std::string> AgentIdOf(const std::string& agent_details, std::string& why) {
  auto packet = json::parse(agent_details, nullptr, false);
  if (!packet.is_object() || !packet.contains("data") || !packet["data"].is_object()) {
    why = "the answer is not an agent_details packet";
    return std::nullopt;
  }
  const auto& data = packet["data"];
  if (auto agent = data.find("agent_id"); agent != data.end() && agent->is_string()) {
    return agent->get<std::string>();
  }
  auto reason = data.find("failure_reason");
  why = reason != data.end() && reason->is_string() ? reason->get<std::string>()
                                                    : "no agent_id and no failure_reason";
  return std::nullopt;
}

std::string SubmitTaskBody(const std::string& agent_id, const std::string& final_data_json) {
  return R"({"USED_AGENT_ID":)" + json(agent_id).dump() + R"(,"final_data":)" + final_data_json +
         R"(,"client_timestamp":)" + Timestamp() + "}";
}

std::string AliveFrame(const std::string& agent_id) {
  return R"({"packet_type":"alive","subject_id":)" + json(agent_id).dump() +
         R"(,"data":{},"client_timestamp":)" + Timestamp() + "}";
}

std::string HeartbeatFrame(const std::string& agent_id) {
  return R"({"packet_type":"heartbeat","subject_id":)" + json(agent_id).dump() +
         R"(,"client_timestamp":)" + Timestamp() + "}";
}

std::string LiveUpdateFrame(const std::string& agent_id, std::uint64_t update_id,
                            std::size_t data_bytes) {
  std::string data = R"({"update_id":")" + std::to_string(update_id) + R"(","text":")";
  const std::size_t closing = 2;  // "}
  if (data.size() + closing < data_bytes) data.append(data_bytes - data.size() - closing, 'x');
  data += "\"}";
  return R"({"packet_type":"mephisto_bound_live_update","subject_id":)" + json(agent_id).dump() +
         R"(,"data":)" + data + R"(,"client_timestamp":)" + Timestamp() + "}";
}

}  // namespace throng::loadgen

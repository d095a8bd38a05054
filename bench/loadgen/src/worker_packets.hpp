#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace throng::loadgen {

// The packets and bodies a mephisto-task 2.0.4 page sends, byte for byte as compact as the
// browser's JSON.stringify makes them.

// Wall-clock seconds, as the page's client_timestamp.
double WallSeconds();

// POST /request_agent body of a mock-provider worker.
std::string RequestAgentBody(const std::string& worker_name, const std::string& assignment_id);
// The agent id of an agent_details answer, or nullopt with `why` (the failure_reason when the
// server had no work for the worker).
std::optional<std::string> AgentIdOf(const std::string& agent_details, std::string& why);
// POST /submit_task body.
std::string SubmitTaskBody(const std::string& agent_id, const std::string& final_data_json);

std::string AliveFrame(const std::string& agent_id);
std::string HeartbeatFrame(const std::string& agent_id);
// A mephisto_bound_live_update whose data object, {"update_id":"<id>","text":"xx.."}, is
// `data_bytes` long (at least as long as it must be).
std::string LiveUpdateFrame(const std::string& agent_id, std::uint64_t update_id,
                            std::size_t data_bytes);

}  // namespace throng::loadgen

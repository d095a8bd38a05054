#pragma once

#include <string>
#include <string_view>

namespace throng::echo {

// The answers both echo modes give, in Mephisto's shapes.

// Every agent is put straight to work: the status pushed after registration and on `alive`.
inline constexpr std::string_view kInTaskStatusData = R"({"status":"in task"})";

// The `data` of an agent_details packet that assigns `agent_id` to `worker_id`.
std::string AgentDetailsData(std::string_view request_id, std::string_view worker_id,
                             std::string_view agent_id);

}  // namespace throng::echo

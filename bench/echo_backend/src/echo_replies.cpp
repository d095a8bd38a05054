#include "echo_replies.hpp"

#include <nlohmann/json.hpp>

namespace throng::echo {

std::string AgentDetailsData(std::string_view request_id, std::string_view worker_id,
                             std::string_view agent_id) {
  nlohmann::json data{{"request_id", request_id},
                      {"worker_id", worker_id},
                      {"agent_id", agent_id},
                      {"init_task_data", nlohmann::json::object()},
                      {"failure_reason", nullptr}};
  // Invalid UTF-8 in an id is replaced rather than thrown on: the echo never stops for input.
  return data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace throng::echo

#include "mephisto_frame_echo.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "echo_replies.hpp"
#include "json_data_scanner.hpp"

namespace throng::echo {
namespace {

using nlohmann::json;

std::string JsonString(std::string_view text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

MephistoFrameEcho::MephistoFrameEcho(const Clock& clock, PacketCounters& counters)
    : clock_(clock), counters_(counters) {}

OutgoingFrame MephistoFrameEcho::Alive() const { return Frame("alive", R"("mephisto")", "{}"); }

OutgoingFrame MephistoFrameEcho::RequestStatuses() const {
  return Frame("request_statuses", R"("mephisto")", "{}");
}

void MephistoFrameEcho::Answer(std::string_view frame, std::vector<OutgoingFrame>& out) {
  static constexpr std::array<std::string_view, 3> kKeys = {"packet_type", "subject_id", "data"};
  std::array<std::optional<std::string_view>, kKeys.size()> values;
  if (!FindTopLevelValues(frame, kKeys, values) || !values[0] || !values[1] || !values[2]) {
    counters_.Malformed();
    return;
  }
  auto type = PlainStringContent(*values[0]);
  if (!type) {
    counters_.Malformed();
    return;
  }
  counters_.Received(*type);
  const auto subject_token = *values[1];
  const auto data_token = *values[2];
  if (*type == "mephisto_bound_live_update") {
    if (subject_token.empty() || subject_token.front() != '"') {
      counters_.Malformed();
      return;
    }
    out.push_back(Frame("client_bound_live_update", subject_token, data_token));
  } else if (*type == "register_agent" || *type == "submit_onboarding") {
    AnswerRegistration(*type, subject_token, data_token, out);
  }
  // Everything else (return_statuses, submit_unit, submit_metadata, log_error) needs no answer.
}

void MephistoFrameEcho::AnswerRegistration(std::string_view type, std::string_view subject_token,
                                           std::string_view data_token,
                                           std::vector<OutgoingFrame>& out) {
  // Rare next to live updates: a parsed document is fine here.
  auto data = json::parse(data_token, nullptr, false);
  std::string request_id;
  if (data.is_object() && data.contains("request_id") && data["request_id"].is_string()) {
    request_id = data["request_id"].get<std::string>();
  } else if (type == "register_agent") {
    // The router falls back to the subject id, which it sets to the request id.
    auto subject = json::parse(subject_token, nullptr, false);
    if (subject.is_string()) request_id = subject.get<std::string>();
  }
  if (request_id.empty()) {
    counters_.Malformed();
    return;
  }
  const auto number = std::to_string(++issued_agents_);
  out.push_back(
      Frame("agent_details", JsonString(kChannelId), AgentDetailsData(request_id, number, number)));
  if (type != "register_agent") return;
  out.push_back(Frame("update_status", JsonString(number), kInTaskStatusData));
}

OutgoingFrame MephistoFrameEcho::Frame(std::string_view packet_type, std::string_view subject_token,
                                       std::string_view data_token) const {
  // Mephisto's server stamps every packet it makes with its own clock.
  auto timestamp = json(clock_.NowSeconds()).dump();
  std::string frame;
  frame.reserve(96 + packet_type.size() + subject_token.size() + data_token.size());
  frame += R"({"packet_type":")";
  frame += packet_type;
  frame += R"(","subject_id":)";
  frame += subject_token;
  frame += R"(,"data":)";
  frame += data_token;
  frame += R"(,"server_timestamp":)";
  frame += timestamp;
  frame += '}';
  return OutgoingFrame{packet_type, std::move(frame)};
}

}  // namespace throng::echo

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packet_counters.hpp"
#include "throng/common/clock.hpp"

namespace throng::echo {

// One WebSocket text frame to send, with its packet type for the counters.
struct OutgoingFrame {
  std::string_view packet_type;  // always a string literal
  std::string text;
};

// Mephisto's Python server reduced to immediate answers, frame by frame, as it speaks to a
// router over its "system" WebSocket: every agent is registered with a plain numeric id and
// put in task, every live update comes straight back to its agent with its data unchanged.
class MephistoFrameEcho {
 public:
  // The id the server answers agent_details under (Mephisto names its channels so).
  static constexpr std::string_view kChannelId = "echo_channel_0";

  MephistoFrameEcho(const Clock& clock, PacketCounters& counters);

  // Sent on every (re)connection: makes this socket the router's server socket.
  OutgoingFrame Alive() const;
  // Sent every few seconds: the router's only sign that the server is alive.
  OutgoingFrame RequestStatuses() const;

  // Appends to `out` the frames answering `frame`. Counts it as received or malformed.
  void Answer(std::string_view frame, std::vector<OutgoingFrame>& out);

 private:
  void AnswerRegistration(std::string_view type, std::string_view subject_token,
                          std::string_view data_token, std::vector<OutgoingFrame>& out);
  OutgoingFrame Frame(std::string_view packet_type, std::string_view subject_token,
                      std::string_view data_token) const;

  const Clock& clock_;
  PacketCounters& counters_;
  std::uint64_t issued_agents_ = 0;
};

}  // namespace throng::echo

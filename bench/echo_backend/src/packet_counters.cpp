#include "packet_counters.hpp"

#include <nlohmann/json.hpp>

namespace throng::echo {

std::size_t PacketCounters::Slot(std::string_view packet_type) {
  for (std::size_t i = 0; i + 1 < kPacketTypes.size(); ++i) {
    if (kPacketTypes[i] == packet_type) return i;
  }
  return kPacketTypes.size() - 1;  // "other"
}

std::uint64_t PacketCounters::ReceivedCount(std::string_view packet_type) const {
  return received_[Slot(packet_type)].load(std::memory_order_relaxed);
}

std::uint64_t PacketCounters::SentCount(std::string_view packet_type) const {
  return sent_[Slot(packet_type)].load(std::memory_order_relaxed);
}

std::string PacketCounters::ToJson() const {
  auto by_type = [](const Counts& counts) {
    nlohmann::json object = nlohmann::json::object();
    for (std::size_t i = 0; i < kPacketTypes.size(); ++i) {
      auto count = counts[i].load(std::memory_order_relaxed);
      if (count != 0) object[std::string(kPacketTypes[i])] = count;
    }
    return object;
  };
  nlohmann::json report{{"received", by_type(received_)},
                        {"sent", by_type(sent_)},
                        {"dropped", DroppedCount()},
                        {"malformed", MalformedCount()}};
  return report.dump();
}

}  // namespace throng::echo

#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace throng::echo {

// What the echo has done, by packet type: read by the stats log and the exit report while the
// echo runs on another thread, so every count is an atomic. Packet types outside the Mephisto
// and throng vocabulary share the "other" slot.
class PacketCounters {
 public:
  void Received(std::string_view packet_type) { Add(received_, packet_type); }
  void Sent(std::string_view packet_type) { Add(sent_, packet_type); }
  // Packets that could not be sent (the socket refused or went away).
  void Dropped() { dropped_.fetch_add(1, std::memory_order_relaxed); }
  // Input that was not a packet the echo understands (undecodable, missing fields).
  void Malformed() { malformed_.fetch_add(1, std::memory_order_relaxed); }

  std::uint64_t ReceivedCount(std::string_view packet_type) const;
  std::uint64_t SentCount(std::string_view packet_type) const;
  std::uint64_t DroppedCount() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t MalformedCount() const { return malformed_.load(std::memory_order_relaxed); }

  // One JSON object on one line: {"received":{type:n,...},"sent":{...},"dropped":n,
  // "malformed":n}; types never seen are left out.
  std::string ToJson() const;

  static constexpr std::array<std::string_view, 22> kPacketTypes = {"register_agent",
                                                                    "agent_details",
                                                                    "submit_onboarding",
                                                                    "submit_unit",
                                                                    "submit_ack",
                                                                    "submit_metadata",
                                                                    "metadata_ack",
                                                                    "log_error",
                                                                    "alive",
                                                                    "heartbeat",
                                                                    "update_status",
                                                                    "mephisto_bound_live_update",
                                                                    "client_bound_live_update",
                                                                    "live_update_delivered",
                                                                    "disconnect",
                                                                    "request_statuses",
                                                                    "return_statuses",
                                                                    "router_hello",
                                                                    "operator_beat",
                                                                    "error_reply",
                                                                    "unknown_kind",
                                                                    "other"};

 private:
  using Counts = std::array<std::atomic<std::uint64_t>, kPacketTypes.size()>;
  static std::size_t Slot(std::string_view packet_type);
  static void Add(Counts& counts, std::string_view packet_type) {
    counts[Slot(packet_type)].fetch_add(1, std::memory_order_relaxed);
  }

  Counts received_{};
  Counts sent_{};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> malformed_{0};
};

}  // namespace throng::echo

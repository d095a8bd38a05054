#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace throng::router {

// The `event` label values of throng_router_zmq_events_total.
inline constexpr std::array<const char*, 5> kMonitorEventLabels = {
    "connected", "disconnected", "connect_retried", "closed", "other"};

// The label for a ZeroMQ monitor event id (ZMQ_EVENT_*): the events that tell whether the
// operator link is up have their own, every other one is "other".
const char* MonitorEventLabel(std::uint16_t event);

// The event id from the first frame of a monitor message (16-bit event id, then a 32-bit value,
// in host byte order); nullopt if the frame is too short to hold one.
std::optional<std::uint16_t> MonitorEventId(const void* frame, std::size_t size);

}  // namespace throng::router

#include "zmq_monitor_event.hpp"

#include <zmq.h>

#include <cstring>

namespace throng::router {

const char* MonitorEventLabel(std::uint16_t event) {
  switch (event) {
    case ZMQ_EVENT_CONNECTED:
      return "connected";
    case ZMQ_EVENT_DISCONNECTED:
      return "disconnected";
    case ZMQ_EVENT_CONNECT_RETRIED:
      return "connect_retried";
    case ZMQ_EVENT_CLOSED:
      return "closed";
    default:
      return "other";
  }
}

std::optional<std::uint16_t> MonitorEventId(const void* frame, std::size_t size) {
  if (frame == nullptr || size < sizeof(std::uint16_t) + sizeof(std::uint32_t)) {
    return std::nullopt;
  }
  std::uint16_t event = 0;
  std::memcpy(&event, frame, sizeof(event));
  return event;
}

}  // namespace throng::router

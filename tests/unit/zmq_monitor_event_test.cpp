#include "zmq_monitor_event.hpp"

#include <gtest/gtest.h>
#include <zmq.h>

#include <cstring>
#include <string>

namespace throng::router {
namespace {

// The first frame of a monitor message as libzmq writes it.
std::string MonitorFrame(std::uint16_t event, std::uint32_t value) {
  std::string frame(sizeof(event) + sizeof(value), '\0');
  std::memcpy(frame.data(), &event, sizeof(event));
  std::memcpy(frame.data() + sizeof(event), &value, sizeof(value));
  return frame;
}

TEST(MonitorEventLabel, LinkStateEventsHaveTheirOwnLabelAndTheRestAreOther) {
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_CONNECTED), "connected");
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_DISCONNECTED), "disconnected");
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_CONNECT_RETRIED), "connect_retried");
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_CLOSED), "closed");
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_CONNECT_DELAYED), "other");
  EXPECT_STREQ(MonitorEventLabel(ZMQ_EVENT_MONITOR_STOPPED), "other");
  EXPECT_STREQ(MonitorEventLabel(0x8000), "other");
}

TEST(MonitorEventLabel, EveryLabelIsDeclared) {
  for (std::uint32_t event = 0; event <= 0xffff; ++event) {
    std::string label = MonitorEventLabel(static_cast<std::uint16_t>(event));
    bool declared = false;
    for (const char* known : kMonitorEventLabels) declared = declared || label == known;
    ASSERT_TRUE(declared) << "event " << event << " -> " << label;
  }
}

TEST(MonitorEventId, ReadsTheEventFromTheFirstFrame) {
  auto frame = MonitorFrame(ZMQ_EVENT_DISCONNECTED, 17);
  EXPECT_EQ(MonitorEventId(frame.data(), frame.size()), ZMQ_EVENT_DISCONNECTED);
}

TEST(MonitorEventId, AFrameTooShortHoldsNoEvent) {
  auto frame = MonitorFrame(ZMQ_EVENT_CONNECTED, 0);
  EXPECT_FALSE(MonitorEventId(frame.data(), frame.size() - 1).has_value());
  EXPECT_FALSE(MonitorEventId(frame.data(), 0).has_value());
  EXPECT_FALSE(MonitorEventId(nullptr, 6).has_value());
}

}  // namespace
}  // namespace throng::router

#include "event_loop_lag.hpp"

#include <gtest/gtest.h>

namespace throng::router {
namespace {

using std::chrono::milliseconds;
const EventLoopLag::TimePoint kStart{std::chrono::seconds(100)};

TEST(EventLoopLag, ATimerOnTimeHasNoLagAndAnEarlyOneCountsAsNone) {
  EventLoopLag lag;
  EXPECT_DOUBLE_EQ(lag.Record(kStart, kStart), 0.0);
  EXPECT_DOUBLE_EQ(lag.Record(kStart + milliseconds(100), kStart + milliseconds(99)), 0.0);
}

TEST(EventLoopLag, ReportsTheLargestDelayOfTheLastSecond) {
  EventLoopLag lag;
  auto due = kStart;
  EXPECT_DOUBLE_EQ(lag.Record(due, due + milliseconds(300)), 0.3);
  // Later timers on time: the slow one stays visible until it is a full window old.
  due += milliseconds(400);
  EXPECT_DOUBLE_EQ(lag.Record(due, due + milliseconds(10)), 0.3);
  due += milliseconds(500);
  EXPECT_DOUBLE_EQ(lag.Record(due, due), 0.3);
  due += milliseconds(100);  // ran at +1000 ms: the 300 ms sample (ran at +300) is still in
  EXPECT_DOUBLE_EQ(lag.Record(due, due), 0.3);
  due += milliseconds(300);  // +1300 ms: it left the window
  EXPECT_DOUBLE_EQ(lag.Record(due, due), 0.01);
  due += milliseconds(500);
  EXPECT_DOUBLE_EQ(lag.Record(due, due), 0.0);
}

TEST(EventLoopLag, ALoopBlockedForLongReportsTheWholeBlock) {
  EventLoopLag lag;
  EXPECT_DOUBLE_EQ(lag.Record(kStart, kStart), 0.0);
  EXPECT_DOUBLE_EQ(lag.Record(kStart + milliseconds(100), kStart + milliseconds(5100)), 5.0);
}

TEST(EventLoopLag, TheWindowIsConfigurable) {
  EventLoopLag lag(milliseconds(250));
  EXPECT_DOUBLE_EQ(lag.Record(kStart, kStart + milliseconds(200)), 0.2);
  EXPECT_DOUBLE_EQ(lag.Record(kStart + milliseconds(300), kStart + milliseconds(400)), 0.2);
  EXPECT_DOUBLE_EQ(lag.Record(kStart + milliseconds(450), kStart + milliseconds(460)), 0.1);
}

}  // namespace
}  // namespace throng::router

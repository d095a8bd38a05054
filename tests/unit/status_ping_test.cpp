#include "status_ping.hpp"

#include <gtest/gtest.h>

namespace throng::router {
namespace {

constexpr double kGiveUpAfter = 30;

TEST(StatusPing, AnAnsweredAliveGivesItsRoundTripOnce) {
  StatusPing ping;
  ping.Sent(1000.0);
  auto round_trip = ping.Answered(1000.25, kGiveUpAfter);
  ASSERT_TRUE(round_trip.has_value());
  EXPECT_DOUBLE_EQ(*round_trip, 0.25);
  // A second status (e.g. the agent's status changed later) answers nothing.
  EXPECT_FALSE(ping.Answered(1001.0, kGiveUpAfter).has_value());
}

TEST(StatusPing, AStatusNobodyAskedForIsNoRoundTrip) {
  StatusPing ping;
  EXPECT_FALSE(ping.Answered(1000.0, kGiveUpAfter).has_value());
}

TEST(StatusPing, ANewerAliveReplacesAnUnansweredOne) {
  StatusPing ping;
  ping.Sent(1000.0);
  ping.Sent(1010.0);
  EXPECT_DOUBLE_EQ(ping.Answered(1010.5, kGiveUpAfter).value(), 0.5);
}

TEST(StatusPing, AnAliveNeverAnsweredInTimeIsDropped) {
  StatusPing ping;
  ping.Sent(1000.0);
  EXPECT_FALSE(ping.Answered(1000.0 + kGiveUpAfter + 1, kGiveUpAfter).has_value());
  EXPECT_FALSE(ping.Answered(1000.0 + kGiveUpAfter + 2, kGiveUpAfter).has_value());
}

TEST(StatusPing, AClockStepBackwardsGivesZeroNotANegativeTime) {
  StatusPing ping;
  ping.Sent(1000.0);
  EXPECT_DOUBLE_EQ(ping.Answered(999.0, kGiveUpAfter).value(), 0.0);
}

}  // namespace
}  // namespace throng::router

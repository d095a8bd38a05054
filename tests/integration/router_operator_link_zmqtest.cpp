// The router's health metrics for its link to the operator, against a scripted ZeroMQ operator
// that is stopped and started again on the same endpoint: ZeroMQ monitor events, sends the
// socket refused, the queue in front of the socket, the agent status round trip, and the io
// thread's event loop lag.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "eventually.hpp"
#include "router_clients.hpp"
#include "router_under_test.hpp"
#include "scripted_operator.hpp"
#include "unique_temp_path.hpp"

namespace throng::router {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;
using testing::Eventually;
using testing::HttpClient;
using testing::ScriptedOperator;

constexpr const char* kRequestAgentBody =
    R"({"provider_data":{"worker_name":"w1","agent_registration_id":"a-w1"}})";

class RouterOperatorLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No page is fetched here: the run's directory only holds the router's uploads.
    run_dir_ = testing::UniqueTempPath("throng_router_link");
    operator_ = std::make_unique<ScriptedOperator>(run_dir_.string());
    auto config = testing::TestRouterConfig(operator_->endpoint());
    config.upload_dir = (run_dir_ / "uploads").string();
    // Long enough that the router still counts a just-stopped operator as reachable, so
    // requests reach the ZeroMQ socket and fail there.
    config.operator_stale_after = std::chrono::milliseconds(10000);
    router_ = std::make_unique<testing::RouterUnderTest>(config);
    ASSERT_TRUE(Eventually([&] { return router_->Serving(); }));
  }
  void TearDown() override {
    router_.reset();
    operator_.reset();
    std::filesystem::remove_all(run_dir_);
  }

  double ZmqEvents(const std::string& event) {
    return router_->SeriesByLabel("throng_router_zmq_events_total", "event")[event];
  }
  std::map<std::string, double> SendFailures() {
    return router_->SeriesByLabel("throng_router_operator_send_failures_total", "reason");
  }
  void StopOperator() {
    operator_.reset();
    ASSERT_TRUE(Eventually([&] { return ZmqEvents("disconnected") >= 1; }));
  }

  std::filesystem::path run_dir_;
  std::unique_ptr<ScriptedOperator> operator_;
  std::unique_ptr<testing::RouterUnderTest> router_;
};

TEST_F(RouterOperatorLinkTest, EveryEventLabelAndSendFailureReasonStartsAtZero) {
  auto events = router_->SeriesByLabel("throng_router_zmq_events_total", "event");
  for (const char* event : {"connected", "disconnected", "connect_retried", "closed", "other"}) {
    EXPECT_TRUE(events.count(event)) << event;
  }
  EXPECT_EQ(SendFailures(), (std::map<std::string, double>{
                                {"error", 0}, {"operator_unreachable", 0}, {"queue_full", 0}}));
}

TEST_F(RouterOperatorLinkTest, TheOperatorGoingAndComingBackIsCountedByZeroMqEvent) {
  EXPECT_EQ(ZmqEvents("connected"), 1);
  EXPECT_EQ(ZmqEvents("disconnected"), 0);
  auto endpoint = operator_->endpoint();
  StopOperator();
  // Nothing listens now: every reconnect attempt is refused and retried.
  EXPECT_TRUE(Eventually([&] { return ZmqEvents("connect_retried") >= 1; }));
  EXPECT_TRUE(Eventually([&] { return ZmqEvents("closed") >= 1; }));

  operator_ = std::make_unique<ScriptedOperator>(run_dir_.string(), endpoint);
  EXPECT_TRUE(Eventually([&] { return ZmqEvents("connected") == 2; }));
  EXPECT_TRUE(Eventually([&] { return router_->Serving(); }));
  EXPECT_EQ(ZmqEvents("disconnected"), 1);
}

TEST_F(RouterOperatorLinkTest, ASendTheSocketRefusesIsCountedAndAnsweredAtOnce) {
  StopOperator();
  auto rejected_before = router_->RejectedByReason();
  auto answer =
      HttpClient::Once(router_->port(), http::verb::post, "/request_agent", kRequestAgentBody);
  EXPECT_EQ(answer.status, 503) << answer.body;
  EXPECT_NE(answer.body.find("not reachable"), std::string::npos) << answer.body;
  EXPECT_EQ(SendFailures(), (std::map<std::string, double>{
                                {"error", 0}, {"operator_unreachable", 1}, {"queue_full", 0}}));
  EXPECT_EQ(testing::CountChanges(rejected_before, router_->RejectedByReason()),
            (std::map<std::string, double>{{"operator_unreachable", 1}}));
  EXPECT_EQ(router_->Metric("throng_router_operator_queue_depth"), 0);
  EXPECT_EQ(router_->Metric("throng_router_held_requests"), 0);
}

TEST_F(RouterOperatorLinkTest, TheQueueToTheOperatorIsEmptyOnceRequestsAreSent) {
  operator_->AnswerWith("register_agent", [](const v1::Envelope& request) {
    return ScriptedOperator::ReplyTo(request, "agent_details", R"({"agent_id":"25"})");
  });
  for (int i = 0; i < 5; ++i) {
    auto answer =
        HttpClient::Once(router_->port(), http::verb::post, "/request_agent", kRequestAgentBody);
    ASSERT_EQ(answer.status, 200) << answer.body;
  }
  EXPECT_EQ(operator_->Received("register_agent").size(), 5u);
  EXPECT_EQ(router_->Metric("throng_router_operator_queue_depth"), 0);
  EXPECT_EQ(SendFailures()["operator_unreachable"], 0);
}

TEST_F(RouterOperatorLinkTest, AnAgentStatusRoundTripIsObservedOncePerAnsweredAlive) {
  EXPECT_EQ(router_->Metric("throng_router_operator_heartbeat_rtt_seconds_count"), 0);
  operator_->AnswerWith("alive", [](const v1::Envelope& alive) {
    return ScriptedOperator::ReplyTo(alive, "update_status", R"({"status":"in task"})");
  });
  testing::WsClient browser(router_->port());
  browser.Send(json{{"packet_type", "alive"}, {"subject_id", ScriptedOperator::AgentId("7")}});
  EXPECT_EQ(browser.Next()["data"]["status"], "none");  // the router's cached status
  EXPECT_EQ(browser.Next()["data"]["status"], "in task");
  EXPECT_EQ(router_->Metric("throng_router_operator_heartbeat_rtt_seconds_count"), 1);
  auto seconds = router_->Metric("throng_router_operator_heartbeat_rtt_seconds_sum");
  EXPECT_GE(seconds, 0);
  EXPECT_LT(seconds, 5);

  // A later status push nobody asked for (the agent's status changed) is no round trip.
  operator_->SendToAgent("update_status", ScriptedOperator::AgentId("7"),
                         R"({"status":"completed"})");
  EXPECT_EQ(browser.Next()["data"]["status"], "completed");
  EXPECT_EQ(router_->Metric("throng_router_operator_heartbeat_rtt_seconds_count"), 1);
}

TEST_F(RouterOperatorLinkTest, AnIdleRouterReportsASmallEventLoopLag) {
  ASSERT_TRUE(
      Eventually([&] { return router_->Metric("throng_router_event_loop_lag_seconds") >= 0; }));
  // Generous: sanitizer builds on a shared machine are slow, yet nowhere near a second late.
  EXPECT_LT(router_->Metric("throng_router_event_loop_lag_seconds"), 1.0);
}

}  // namespace
}  // namespace throng::router

// The router's WebSocket side against a scripted operator (a real ZeroMQ ROUTER socket in this
// process) and a real WebSocket client: alive/heartbeat answers, forwarding, queueing while
// the agent is away, draining on stop. Bad input is in router_bad_input_zmqtest.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "eventually.hpp"
#include "router_app.hpp"
#include "router_clients.hpp"
#include "router_under_test.hpp"
#include "scripted_operator.hpp"
#include "unique_temp_path.hpp"

namespace throng::router {
namespace {

namespace websocket = boost::beast::websocket;
using nlohmann::json;
using testing::Eventually;
using testing::ScriptedOperator;
using Browser = testing::WsClient;

// The id the operator would have issued to agent n (the router refuses any other).
std::string Agent(int n) { return ScriptedOperator::AgentId("agent-" + std::to_string(n)); }

json Alive(const std::string& agent) {
  return {{"packet_type", "alive"},
          {"subject_id", agent},
          {"data", {{"update_id", "u0"}}},
          {"client_timestamp", 1.0}};
}

class RouterWebsocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_router_ws");
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "index.html") << "<p>hi</p>";
    operator_ = std::make_unique<ScriptedOperator>(dir_.string());
    auto config = testing::TestRouterConfig(operator_->endpoint());
    config.ws_rate_limit = 20;
    router_ = std::make_unique<testing::RouterUnderTest>(config);
    app_ = &router_->app();
    ASSERT_TRUE(Eventually([&] { return router_->Serving(); }));
  }
  void TearDown() override {
    router_.reset();
    operator_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScriptedOperator> operator_;
  std::unique_ptr<testing::RouterUnderTest> router_;
  RouterApp* app_ = nullptr;
};

TEST_F(RouterWebsocketTest, AliveGetsCachedStatusAndIsReportedUpstream) {
  Browser browser(app_->Port());
  browser.Send(Alive(Agent(1)));
  auto status = browser.Next();
  EXPECT_EQ(status["packet_type"], "update_status");
  EXPECT_EQ(status["subject_id"], Agent(1));
  EXPECT_EQ(status["data"]["status"], "none");
  EXPECT_TRUE(status["router_outgoing_timestamp"].is_number());
  ASSERT_TRUE(Eventually([&] { return operator_->Received("alive").size() == 1; }));
  EXPECT_EQ(operator_->Received("alive")[0].agent_id(), Agent(1));
  EXPECT_EQ(operator_->Received("alive")[0].router_id(), "router-under-test");
}

TEST_F(RouterWebsocketTest, HeartbeatEchoesWithEpochMillisecondPingAndStatus) {
  Browser browser(app_->Port());
  browser.Send(Alive(Agent(2)));
  browser.Next();
  operator_->SendToAgent("update_status", Agent(2), R"({"status":"in task"})");
  EXPECT_EQ(browser.Next()["data"]["status"], "in task");
  browser.Send(
      json{{"packet_type", "heartbeat"}, {"subject_id", Agent(2)}, {"client_timestamp", 5.5}});
  auto reply = browser.Next();
  EXPECT_EQ(reply["packet_type"], "heartbeat");
  EXPECT_EQ(reply["data"]["status"], "in task");
  EXPECT_DOUBLE_EQ(reply["client_timestamp"].get<double>(), 5.5);
  auto ping = reply["data"]["last_mephisto_ping"].get<std::int64_t>();
  EXPECT_LE(std::abs(DefaultClock().NowMillis() - ping), 5000);  // epoch ms, fresh
}

TEST_F(RouterWebsocketTest, LiveUpdatesGoUpUnchangedAndComeDownInOrder) {
  Browser browser(app_->Port());
  browser.Send(Alive(Agent(3)));
  browser.Next();
  const std::string frame = R"({"packet_type":"mephisto_bound_live_update","subject_id":")" +
                            Agent(3) +
                            R"(","data":{"text":"héllo","update_id":"u1"},"client_timestamp":2})";
  browser.Send(frame);
  ASSERT_TRUE(
      Eventually([&] { return operator_->Received("mephisto_bound_live_update").size() == 1; }));
  auto up = operator_->Received("mephisto_bound_live_update")[0];
  EXPECT_EQ(up.payload(), frame);
  EXPECT_EQ(up.agent_id(), Agent(3));
  EXPECT_GT(up.timestamps().router_incoming(), 0);
  EXPECT_GT(up.timestamps().router_outgoing(), 0);

  operator_->SendToAgent("client_bound_live_update", Agent(3), R"({"n":1,"update_id":"d1"})");
  operator_->SendToAgent("client_bound_live_update", Agent(3), R"({"n":2,"update_id":"d2"})");
  auto first = browser.Next();
  auto second = browser.Next();
  EXPECT_EQ(first["packet_type"], "client_bound_live_update");
  EXPECT_EQ(first["data"]["n"], 1);
  EXPECT_EQ(second["data"]["update_id"], "d2");
}

TEST_F(RouterWebsocketTest, PacketsForAnAbsentAgentWaitForItsReconnect) {
  {
    Browser browser(app_->Port());
    browser.Send(Alive(Agent(4)));
    browser.Next();
    browser.Drop();
  }
  // Only once the router has seen the socket go does it queue instead of writing.
  ASSERT_TRUE(
      Eventually([&] { return router_->Metric("throng_router_websocket_connections") == 0; }));
  operator_->SendToAgent("client_bound_live_update", Agent(4), R"({"n":7,"update_id":"q1"})");
  Browser again(app_->Port());
  // Give the router the packet before the reconnect, then reconnect.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  again.Send(Alive(Agent(4)));
  EXPECT_EQ(again.Next()["packet_type"], "update_status");
  auto queued = again.Next();
  EXPECT_EQ(queued["packet_type"], "client_bound_live_update");
  EXPECT_EQ(queued["data"]["n"], 7);
}

TEST_F(RouterWebsocketTest, ANewOperatorProcessHearsAliveForEverySocketStillOpen) {
  Browser staying(app_->Port());
  staying.Send(Alive(Agent(7)));
  staying.Next();
  {
    Browser leaving(app_->Port());
    leaving.Send(Alive(Agent(8)));
    leaving.Next();
    leaving.Drop();
  }
  ASSERT_TRUE(Eventually([&] { return operator_->Received("alive").size() == 2; }));
  ASSERT_TRUE(
      Eventually([&] { return router_->Metric("throng_router_websocket_connections") == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // beats of the same process
  EXPECT_EQ(operator_->Received("alive").size(), 2u) << "alive repeated for the same operator";

  operator_->Restart("second");
  ASSERT_TRUE(Eventually([&] { return operator_->Received("alive").size() == 3; }));
  EXPECT_EQ(operator_->Received("alive")[2].agent_id(), Agent(7));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(operator_->Received("alive").size(), 3u) << "only the open socket, and only once";
}

TEST_F(RouterWebsocketTest, StopTellsConnectedPagesTheRouterIsGoingAway) {
  Browser browser(app_->Port());
  browser.Send(Alive(Agent(6)));
  browser.Next();
  app_->RequestStop(1);
  EXPECT_EQ(browser.Next()["closed"], static_cast<int>(websocket::close_code::going_away));
}

// A page's work ends with its submission: when it closes afterwards that is no disconnect, so
// a thousand chats ending at once do not become a thousand disconnects for the operator. A page
// that leaves before submitting still is one.
TEST(RouterAfterSubmission, APageThatSubmittedAndLeftIsNotReportedDisconnected) {
  auto dir = testing::UniqueTempPath("throng_router_ws_submitted");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<p>hi</p>";
  ScriptedOperator scripted(dir.string());
  scripted.AnswerWith("submit_unit", [](const v1::Envelope& request) {
    return ScriptedOperator::ReplyTo(request, "submit_ack", "{}");
  });
  auto config = testing::TestRouterConfig(scripted.endpoint());
  config.reconnect_grace = std::chrono::milliseconds(200);
  {
    testing::RouterUnderTest router(config);
    ASSERT_TRUE(Eventually([&] { return router.Serving(); }));
    for (int n : {1, 2}) {
      Browser page(router.app().Port());
      page.Send(Alive(Agent(n)));
      page.Next();
      scripted.SendToAgent("update_status", Agent(n), R"({"status":"in task"})");
      EXPECT_EQ(page.Next()["data"]["status"], "in task");
      if (n == 1) {
        auto submitted = testing::HttpClient::Once(
            router.app().Port(), boost::beast::http::verb::post, "/submit_task",
            json{{"USED_AGENT_ID", Agent(1)}, {"final_data", {{"answer", 1}}}}.dump());
        ASSERT_EQ(submitted.status, 200) << submitted.body;
      }
    }  // both pages close
    ASSERT_TRUE(Eventually([&] { return scripted.Received("disconnect").size() == 1; }));
    std::this_thread::sleep_for(config.reconnect_grace * 3);  // time for a wrong report
    auto disconnects = scripted.Received("disconnect");
    ASSERT_EQ(disconnects.size(), 1u);
    EXPECT_EQ(disconnects[0].agent_id(), Agent(2));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace throng::router

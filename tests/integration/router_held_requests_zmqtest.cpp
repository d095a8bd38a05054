// Requests the router holds until the operator answers (/request_agent, /submit_onboarding),
// against a scripted ZeroMQ operator: what is forwarded, that the HTTP answer waits for the
// operator's agent_details, and the JSON errors when the operator refuses, never answers
// (504 after request_timeout) or is unreachable (503 at once).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
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
using testing::HttpReply;
using testing::ScriptedOperator;
using Seconds = std::chrono::duration<double>;

constexpr auto kRequestTimeout = std::chrono::milliseconds(1000);

// The agent_details the operator answers with, for the agent `agent_id` (null: refused).
v1::Envelope AgentDetails(const v1::Envelope& request, const json& agent_id) {
  json data{{"request_id", request.request_id()},
            {"worker_id", "3"},
            {"agent_id", agent_id},
            {"init_task_data", {{"sentence", "hi"}}},
            {"failure_reason", agent_id.is_null() ? json("not qualified") : json(nullptr)}};
  return ScriptedOperator::ReplyTo(request, "agent_details", data.dump());
}

class RouterHeldRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_router_held");
    std::filesystem::create_directories(dir_ / "static");
    std::ofstream(dir_ / "static" / "index.html") << "<p>task</p>";
    operator_ = std::make_unique<ScriptedOperator>((dir_ / "static").string());
    auto config = testing::TestRouterConfig(operator_->endpoint());
    config.request_timeout = kRequestTimeout;
    config.operator_stale_after = std::chrono::milliseconds(600);
    config.upload_dir = (dir_ / "uploads").string();
    router_ = std::make_unique<testing::RouterUnderTest>(config);
    ASSERT_TRUE(Eventually([&] { return router_->Serving(); }));
  }
  void TearDown() override {
    router_.reset();
    operator_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Posts on its own thread, so the test can act as the operator meanwhile.
  std::future<HttpReply> PostLater(const std::string& target, const std::string& body,
                                   const std::string& content_type = "application/json") {
    auto port = router_->port();
    return std::async(std::launch::async, [=] {
      return HttpClient::Once(port, http::verb::post, target, body, content_type);
    });
  }
  v1::Envelope AwaitReceived(const std::string& packet_type) {
    EXPECT_TRUE(Eventually([&] { return operator_->Received(packet_type).size() == 1; }))
        << "the operator never received " << packet_type;
    auto received = operator_->Received(packet_type);
    return received.empty() ? v1::Envelope() : received.front();
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScriptedOperator> operator_;
  std::unique_ptr<testing::RouterUnderTest> router_;
};

TEST_F(RouterHeldRequestTest, OnboardingIsForwardedWithoutTheAgentIdAndAnsweredWithAgentDetails) {
  auto reply = PostLater(
      "/submit_onboarding",
      R"({"provider_data":{"USED_AGENT_ID":")" + ScriptedOperator::AgentId("onboarding_12") +
          R"(","onboarding_data":{"answer":42,"text":"héllo"}},"client_timestamp":3.5})");
  auto request = AwaitReceived("submit_onboarding");
  EXPECT_EQ(request.agent_id(), ScriptedOperator::AgentId("onboarding_12"));
  EXPECT_EQ(request.task_run_id(), "1");
  EXPECT_FALSE(request.request_id().empty());
  EXPECT_DOUBLE_EQ(request.timestamps().client(), 3.5);
  EXPECT_GT(request.timestamps().router_incoming(), 0);
  EXPECT_GT(request.deadline_ms(), 0);
  EXPECT_EQ(json::parse(request.payload()),
            (json{{"onboarding_data", {{"answer", 42}, {"text", "héllo"}}},
                  {"request_id", request.request_id()}}));

  // Held: no answer before the operator's.
  EXPECT_EQ(reply.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  operator_->Send(AgentDetails(request, "25"));
  auto answer = reply.get();
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto packet = answer.Json();
  EXPECT_EQ(packet["packet_type"], "agent_details");
  EXPECT_EQ(packet["subject_id"], request.request_id());
  EXPECT_EQ(packet["data"]["agent_id"], "25");
  EXPECT_EQ(packet["data"]["worker_id"], "3");
  EXPECT_EQ(packet["data"]["init_task_data"]["sentence"], "hi");
  EXPECT_TRUE(packet["data"]["failure_reason"].is_null());
  EXPECT_DOUBLE_EQ(packet["client_timestamp"].get<double>(), 3.5);
}

TEST_F(RouterHeldRequestTest, OnboardingDataDefaultsToAnEmptyObjectAndARefusalIsPassedOn) {
  operator_->AnswerWith("submit_onboarding",
                        [](const v1::Envelope& request) { return AgentDetails(request, nullptr); });
  auto answer = HttpClient::Once(router_->port(), http::verb::post, "/submit_onboarding",
                                 R"({"provider_data":{"USED_AGENT_ID":")" +
                                     ScriptedOperator::AgentId("onboarding_4") + R"("}})");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_TRUE(answer.Json()["data"]["agent_id"].is_null());
  EXPECT_EQ(answer.Json()["data"]["failure_reason"], "not qualified");
  auto request = AwaitReceived("submit_onboarding");
  EXPECT_EQ(json::parse(request.payload())["onboarding_data"], json::object());
}

TEST_F(RouterHeldRequestTest, MultipartOnboardingCarriesItsFiles) {
  operator_->AnswerWith("submit_onboarding",
                        [](const v1::Envelope& request) { return AgentDetails(request, "26"); });
  const std::string body =
      "--b1\r\nContent-Disposition: form-data; name=\"USED_AGENT_ID\"\r\n\r\n" +
      ScriptedOperator::AgentId("onboarding_7") +
      "\r\n"
      "--b1\r\nContent-Disposition: form-data; name=\"onboarding_data\"\r\n\r\n{\"q\":1}\r\n"
      "--b1\r\nContent-Disposition: form-data; name=\"client_timestamp\"\r\n\r\n4.5\r\n"
      "--b1\r\nContent-Disposition: form-data; name=\"proof\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nabc\r\n--b1--\r\n";
  auto answer = HttpClient::Once(router_->port(), http::verb::post, "/submit_onboarding", body,
                                 "multipart/form-data; boundary=b1");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.Json()["data"]["agent_id"], "26");
  auto request = AwaitReceived("submit_onboarding");
  EXPECT_EQ(request.agent_id(), ScriptedOperator::AgentId("onboarding_7"));
  EXPECT_DOUBLE_EQ(request.timestamps().client(), 4.5);
  auto data = json::parse(request.payload());
  EXPECT_FALSE(data.contains("USED_AGENT_ID"));
  EXPECT_EQ(data["onboarding_data"]["q"], 1);
  EXPECT_EQ(data["onboarding_data"]["files"][0]["originalname"], "a.txt");
  EXPECT_EQ(data["onboarding_data"]["filesByFields"]["proof"][0]["size"], 3);
}

TEST_F(RouterHeldRequestTest, UploadsAreServedOnlyToTheirRunAndNeverStoredForAForgedAgent) {
  operator_->AddRun("2");
  ASSERT_TRUE(Eventually([&] {
    return HttpClient::Once(router_->port(), http::verb::get, "/task_config.json?task_run_id=2")
               .status == 200;
  }));
  operator_->AnswerWith("submit_unit", [](const v1::Envelope& request) {
    return ScriptedOperator::ReplyTo(request, "submit_ack", R"({"status":"Submitted!"})");
  });
  auto form = [](const std::string& agent_id) {
    return "--b1\r\nContent-Disposition: form-data; name=\"USED_AGENT_ID\"\r\n\r\n" + agent_id +
           "\r\n--b1\r\nContent-Disposition: form-data; name=\"final_string_data\"\r\n\r\n{}\r\n"
           "--b1\r\nContent-Disposition: form-data; name=\"proof\"; filename=\"a.txt\"\r\n"
           "Content-Type: text/plain\r\n\r\nrun one's file\r\n--b1--\r\n";
  };
  auto stored_files = [&] {
    std::size_t files = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir_ / "uploads", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); ++it) {
      files += it->is_regular_file() ? 1 : 0;
    }
    return files;
  };

  auto forged = HttpClient::Once(router_->port(), http::verb::post, "/submit_task?task_run_id=1",
                                 form("5"), "multipart/form-data; boundary=b1");
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(stored_files(), 0u);

  auto answer =
      HttpClient::Once(router_->port(), http::verb::post, "/submit_task?task_run_id=1",
                       form(ScriptedOperator::AgentId("5")), "multipart/form-data; boundary=b1");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(stored_files(), 1u);
  auto submitted = json::parse(AwaitReceived("submit_unit").payload());
  const auto name = submitted["final_data"]["files"][0]["filename"].get<std::string>();

  auto own = HttpClient::Once(router_->port(), http::verb::get,
                              "/download_file/" + name + "?task_run_id=1");
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body, "run one's file");
  auto other = HttpClient::Once(router_->port(), http::verb::get,
                                "/download_file/" + name + "?task_run_id=2");
  EXPECT_EQ(other.status, 404) << "run 2's pages got run 1's upload";
  EXPECT_EQ(other.body.find("run one's file"), std::string::npos);
}

TEST(RouterBeforeItsFirstHeartbeat, SaysItIsStartingRatherThanThatNoRunIsLive) {
  // Nothing listens there: the router never hears an operator.
  testing::RouterUnderTest router(testing::TestRouterConfig("tcp://127.0.0.1:1"));
  for (const auto& [method, target] : std::vector<std::pair<http::verb, std::string>>{
           {http::verb::get, "/task_config.json"},
           {http::verb::get, "/"},
           {http::verb::post, "/request_agent"}}) {
    auto answer = HttpClient::Once(router.port(), method, target,
                                   R"({"provider_data":{"worker_name":"early"}})");
    EXPECT_EQ(answer.status, 503) << target << " " << answer.body;
    EXPECT_NE(answer.body.find("starting"), std::string::npos) << answer.body;
  }
}

TEST_F(RouterHeldRequestTest, AnOperatorRefusalBecomesAJsonError) {
  operator_->AnswerWith("submit_onboarding", [](const v1::Envelope& request) {
    return ScriptedOperator::ErrorTo(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                                     "unknown onboarding agent 'onboarding_9'");
  });
  auto answer = HttpClient::Once(router_->port(), http::verb::post, "/submit_onboarding",
                                 R"({"provider_data":{"USED_AGENT_ID":")" +
                                     ScriptedOperator::AgentId("onboarding_9") + R"("}})");
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.Json(),
            (json{{"status", "error"}, {"error", "unknown onboarding agent 'onboarding_9'"}}));
}

// Both held endpoints fail the same way when the operator does not answer.
struct HeldEndpoint {
  std::string path;
  std::string packet_type;
  std::string body;
};

void PrintTo(const HeldEndpoint& endpoint, std::ostream* out) { *out << endpoint.path; }

class HeldRequestFailure : public RouterHeldRequestTest,
                           public ::testing::WithParamInterface<HeldEndpoint> {};

TEST_P(HeldRequestFailure, AnOperatorThatNeverAnswersGivesA504AfterTheRequestTimeout) {
  auto before = router_->RejectedByReason();
  auto start = std::chrono::steady_clock::now();
  auto answer =
      HttpClient::Once(router_->port(), http::verb::post, GetParam().path, GetParam().body);
  Seconds waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, 504) << answer.body;
  EXPECT_EQ(answer.Json()["status"], "error");
  EXPECT_NE(answer.Json()["error"].get<std::string>().find("did not answer within"),
            std::string::npos)
      << answer.body;
  EXPECT_GE(waited.count(), 0.9);
  EXPECT_LT(waited.count(), 3.0);
  EXPECT_EQ(operator_->Received(GetParam().packet_type).size(), 1u);
  EXPECT_EQ(testing::CountChanges(before, router_->RejectedByReason()),
            (std::map<std::string, double>{{"timeout", 1}}));
}

TEST_P(HeldRequestFailure, AnUnreachableOperatorGivesA503AtOnceAndItsReturnIsServed) {
  operator_->PauseBeats(true);
  ASSERT_TRUE(Eventually([&] { return !router_->OperatorReachable(); }));
  auto before = router_->RejectedByReason();
  auto start = std::chrono::steady_clock::now();
  auto answer =
      HttpClient::Once(router_->port(), http::verb::post, GetParam().path, GetParam().body);
  Seconds waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, 503) << answer.body;
  EXPECT_EQ(answer.Json()["status"], "error");
  EXPECT_NE(answer.Json()["error"].get<std::string>().find("not reachable"), std::string::npos)
      << answer.body;
  EXPECT_LT(waited.count(), 0.5);
  EXPECT_TRUE(operator_->Received(GetParam().packet_type).empty());
  EXPECT_EQ(testing::CountChanges(before, router_->RejectedByReason()),
            (std::map<std::string, double>{{"operator_unreachable", 1}}));

  operator_->AnswerWith(GetParam().packet_type,
                        [](const v1::Envelope& request) { return AgentDetails(request, "30"); });
  operator_->PauseBeats(false);
  ASSERT_TRUE(Eventually([&] { return router_->OperatorReachable(); }));
  auto served =
      HttpClient::Once(router_->port(), http::verb::post, GetParam().path, GetParam().body);
  EXPECT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.Json()["data"]["agent_id"], "30");
}

INSTANTIATE_TEST_SUITE_P(
    Router, HeldRequestFailure,
    ::testing::Values(
        HeldEndpoint{"/request_agent", "register_agent",
                     R"({"provider_data":{"worker_name":"w1","agent_registration_id":"a-w1"}})"},
        HeldEndpoint{"/submit_onboarding", "submit_onboarding",
                     R"({"provider_data":{"USED_AGENT_ID":")" +
                         ScriptedOperator::AgentId("onboarding_5") +
                         R"(","onboarding_data":{}}})"}),
    [](const auto& row) { return row.param.packet_type; });

}  // namespace
}  // namespace throng::router

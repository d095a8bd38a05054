// The router's bad-input table (R8): every kind of bad input a browser can send, over HTTP and
// over the WebSocket, against a real router attached to a scripted ZeroMQ operator. Each row
// asserts the exact HTTP status and JSON error (or WebSocket close code), that the rejection
// was counted under exactly its reason, and that an agent already connected (a WebSocket
// doing heartbeats) and an HTTP client already connected are still served afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "eventually.hpp"
#include "router_clients.hpp"
#include "router_under_test.hpp"
#include "scripted_operator.hpp"
#include "unique_temp_path.hpp"

namespace throng::router {
namespace {

namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using nlohmann::json;
using testing::Eventually;
using testing::HttpClient;
using testing::ScriptedOperator;
using testing::WsClient;

constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr std::size_t kFrameLimit = 16 * 1024;
constexpr double kRateLimit = 20;  // packets per second, burst 40
constexpr std::size_t kSendQueueLimit = 64 * 1024;
constexpr const char* kSecret = "the secret outside the static root";

json Alive(const std::string& agent) {
  return {{"packet_type", "alive"}, {"subject_id", agent}, {"data", {{"update_id", "u0"}}}};
}

json Heartbeat(const std::string& agent) {
  return {{"packet_type", "heartbeat"}, {"subject_id", agent}, {"client_timestamp", 1.5}};
}

// Agent ids as the operator issues them; anything else is forged.
const std::string kBystander = ScriptedOperator::AgentId("bystander");
const std::string kAgent7 = ScriptedOperator::AgentId("7");

const std::string kRequestAgent =
    R"({"provider_data":{"worker_name":"bystander","agent_registration_id":"a-bystander"}})";

// The router with small limits, so that every limit is reachable cheaply, and two clients
// connected before the bad input arrives.
class RouterBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_router_bad_input");
    std::filesystem::create_directories(dir_ / "static" / "assets");
    std::ofstream(dir_ / "static" / "index.html") << "<p>task</p>";
    std::ofstream(dir_ / "secret.txt") << kSecret;
    operator_ = std::make_unique<ScriptedOperator>((dir_ / "static").string());
    operator_->AnswerWith("register_agent", [](const v1::Envelope& request) {
      json data{{"request_id", request.request_id()},
                {"worker_id", "1"},
                {"agent_id", "99"},
                {"init_task_data", json::object()},
                {"failure_reason", nullptr}};
      return ScriptedOperator::ReplyTo(request, "agent_details", data.dump());
    });
    auto config = testing::TestRouterConfig(operator_->endpoint());
    config.body_limit = kBodyLimit;
    config.ws_frame_limit = kFrameLimit;
    config.ws_rate_limit = kRateLimit;
    config.ws_send_queue_limit = kSendQueueLimit;
    config.upload_dir = (dir_ / "uploads").string();
    router_ = std::make_unique<testing::RouterUnderTest>(config);
    ASSERT_TRUE(Eventually([&] { return router_->Serving(); }));

    agent_ = std::make_unique<WsClient>(router_->port());
    agent_->Send(Alive(kBystander));
    ASSERT_EQ(agent_->Next()["packet_type"], "update_status");
    page_ = std::make_unique<HttpClient>(router_->port());
    ASSERT_EQ(page_->Post("/request_agent", kRequestAgent).status, 200);
    before_ = router_->RejectedByReason();
  }
  void TearDown() override {
    agent_.reset();
    page_.reset();
    router_.reset();
    operator_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The rejection was counted under `reason`, once, and under no other reason.
  void ExpectCountedOnlyAs(const std::string& reason) {
    std::map<std::string, double> changes;
    bool counted = Eventually([&] {
      changes = testing::CountChanges(before_, router_->RejectedByReason());
      return changes == std::map<std::string, double>{{reason, 1}};
    });
    EXPECT_TRUE(counted) << "expected exactly one '" << reason << "' rejection, got "
                         << json(changes).dump();
  }

  // The clients connected before the bad input are still served: the agent's heartbeat is
  // answered on its socket, and the page's connection gets an agent from the operator.
  void ExpectOthersStillServed() {
    agent_->Send(Heartbeat(kBystander));
    auto echo = agent_->Next();
    EXPECT_EQ(echo["packet_type"], "heartbeat") << echo.dump();
    EXPECT_GT(echo["data"]["last_mephisto_ping"].get<std::int64_t>(), 0);
    auto reply = page_->Post("/request_agent", kRequestAgent);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Json()["data"]["agent_id"], "99") << reply.body;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScriptedOperator> operator_;
  std::unique_ptr<testing::RouterUnderTest> router_;
  std::unique_ptr<WsClient> agent_;
  std::unique_ptr<HttpClient> page_;
  std::map<std::string, double> before_;
};

// --- HTTP ---------------------------------------------------------------------------------

struct HttpCase {
  std::string name;
  http::verb method;
  std::string target;
  std::string body;
  int status;
  // The rejection counted. Empty only for the body limit, which the shared HTTP server
  // enforces before the router sees the request (it has no hook to count it yet).
  std::string reason;
  std::string content_type = "application/json";
};

void PrintTo(const HttpCase& row, std::ostream* out) { *out << row.name; }

class HttpBadInput : public RouterBadInput, public ::testing::WithParamInterface<HttpCase> {};

TEST_P(HttpBadInput, GetsAJsonErrorIsCountedAndHarmsNoOne) {
  const auto& row = GetParam();
  auto reply =
      HttpClient::Once(router_->port(), row.method, row.target, row.body, row.content_type);
  EXPECT_EQ(reply.status, row.status) << reply.body;
  EXPECT_EQ(reply.content_type.rfind("application/json", 0), 0u) << reply.content_type;
  auto body = reply.Json();
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body["status"], "error");
  ASSERT_TRUE(body["error"].is_string());
  EXPECT_FALSE(body["error"].get<std::string>().empty());
  EXPECT_EQ(reply.body.find(kSecret), std::string::npos);
  if (!row.reason.empty()) ExpectCountedOnlyAs(row.reason);
  ExpectOthersStillServed();
}

INSTANTIATE_TEST_SUITE_P(
    Router, HttpBadInput,
    ::testing::Values(
        HttpCase{"MalformedJson", http::verb::post, "/request_agent",
                 R"({"provider_data": {"worker_name": )", 400, "malformed_json"},
        HttpCase{"JsonThatIsNotAnObject", http::verb::post, "/submit_task", "[1,2,3]", 400,
                 "malformed_json"},
        HttpCase{"InvalidUtf8", http::verb::post, "/request_agent",
                 "{\"provider_data\":{\"worker_name\":\"\xff\xfe\"}}", 400, "invalid_utf8"},
        HttpCase{"OverlongUtf8", http::verb::post, "/submit_task",
                 "{\"USED_AGENT_ID\":\"" + kAgent7 + "\",\"final_data\":{\"x\":\"\xc0\xaf\"}}", 400,
                 "invalid_utf8"},
        HttpCase{"Utf8Surrogate", http::verb::post, "/submit_onboarding",
                 "{\"provider_data\":{\"USED_AGENT_ID\":\"onboarding_1\",\"onboarding_data\":"
                 "{\"x\":\"\xed\xa0\x80\"}}}",
                 400, "invalid_utf8"},
        HttpCase{"UnknownEndpoint", http::verb::post, "/launch_units", "{}", 404,
                 "unknown_endpoint"},
        HttpCase{"UnsupportedMethod", http::verb::delete_, "/submit_task", "", 405, "method"},
        HttpCase{"GetOnAPostEndpoint", http::verb::get, "/request_agent", "", 405, "method"},
        HttpCase{"MissingProviderData", http::verb::post, "/request_agent",
                 R"({"client_timestamp":1})", 400, "missing_field"},
        HttpCase{"MissingWorkerName", http::verb::post, "/request_agent", R"({"provider_data":{}})",
                 400, "missing_field"},
        HttpCase{"MissingAgentId", http::verb::post, "/submit_task", R"({"final_data":{}})", 400,
                 "missing_field"},
        HttpCase{"MissingFinalData", http::verb::post, "/submit_task",
                 R"({"USED_AGENT_ID":")" + kAgent7 + R"("})", 400, "missing_field"},
        HttpCase{"MissingOnboardingAgent", http::verb::post, "/submit_onboarding",
                 R"({"provider_data":{"onboarding_data":{}}})", 400, "missing_field"},
        HttpCase{"MissingMetadata", http::verb::post, "/submit_metadata",
                 R"({"USED_AGENT_ID":")" + kAgent7 + R"("})", 400, "missing_field"},
        HttpCase{"ForgedAgentId", http::verb::post, "/submit_task",
                 R"({"USED_AGENT_ID":"7","final_data":{}})", 403, "forged_agent_id"},
        HttpCase{"AgentIdWithAnotherTag", http::verb::post, "/submit_task",
                 R"({"USED_AGENT_ID":"7-)" + std::string(32, '0') + R"(","final_data":{}})", 403,
                 "forged_agent_id"},
        HttpCase{"AnotherAgentsTag", http::verb::post, "/submit_task",
                 R"({"USED_AGENT_ID":"8)" + kAgent7.substr(1) + R"(","final_data":{}})", 403,
                 "forged_agent_id"},
        HttpCase{"ForgedOnboardingId", http::verb::post, "/submit_onboarding",
                 R"({"provider_data":{"USED_AGENT_ID":"onboarding_1","onboarding_data":{}}})", 403,
                 "forged_agent_id"},
        HttpCase{"ForgedMetadataAgent", http::verb::post, "/submit_metadata",
                 R"({"USED_AGENT_ID":"7","metadata":{}})", 403, "forged_agent_id"},
        HttpCase{"ForgedErrorLogAgent", http::verb::post, "/log_error",
                 R"({"USED_AGENT_ID":"7","error_data":{}})", 403, "forged_agent_id"},
        HttpCase{"MalformedMultipart", http::verb::post, "/submit_task", "--zz\r\nbroken", 400,
                 "multipart", "multipart/form-data; boundary=zz"},
        HttpCase{"OversizedBody", http::verb::post, "/submit_task",
                 std::string(kBodyLimit + 1024, 'a'), 413, ""},
        HttpCase{"StaticTraversal", http::verb::get, "/../../secret.txt", "", 404,
                 "path_traversal"},
        HttpCase{"StaticTraversalEncoded", http::verb::get, "/%2e%2e/secret.txt", "", 404,
                 "path_traversal"},
        HttpCase{"StaticTraversalEncodedSlash", http::verb::get, "/assets/..%2f..%2fsecret.txt", "",
                 404, "path_traversal"},
        HttpCase{"StaticTraversalBackslash", http::verb::get, "/..%5csecret.txt", "", 404,
                 "path_traversal"},
        HttpCase{"StaticEncodedNul", http::verb::get, "/index.html%00.js", "", 400,
                 "malformed_path"},
        HttpCase{"StaticBrokenEscape", http::verb::get, "/%zz", "", 400, "malformed_path"},
        HttpCase{"StaticMissingFile", http::verb::get, "/assets/missing.js", "", 404, "not_found"},
        HttpCase{"DownloadTraversal", http::verb::get, "/download_file/../../secret.txt", "", 404,
                 "path_traversal"},
        HttpCase{"DownloadTraversalEncoded", http::verb::get, "/download_file/..%2f..%2fsecret.txt",
                 "", 404, "path_traversal"},
        HttpCase{"DownloadBrokenEscape", http::verb::get, "/download_file/%zz", "", 400,
                 "malformed_path"},
        HttpCase{"DownloadUnknownFile", http::verb::get, "/download_file/1-2-file-none.txt", "",
                 404, "not_found"}),
    [](const auto& row) { return row.param.name; });

// --- WebSocket ----------------------------------------------------------------------------

struct WsCase {
  std::string name;
  // Misbehaves on `client`, a fresh WebSocket (with a small receive buffer).
  std::function<void(WsClient& client, ScriptedOperator& op, testing::RouterUnderTest& router)>
      misbehave;
  websocket::close_code code;
  std::string reason;
};

void PrintTo(const WsCase& row, std::ostream* out) { *out << row.name; }

class WsBadInput : public RouterBadInput, public ::testing::WithParamInterface<WsCase> {};

TEST_P(WsBadInput, ClosesOnlyThatSocketWithAClearCodeAndIsCounted) {
  const auto& row = GetParam();
  WsClient client(router_->port(), 4096);
  row.misbehave(client, *operator_, *router_);
  if (HasFatalFailure()) return;  // the socket may never close: do not wait for it
  EXPECT_EQ(client.NextClose(), static_cast<int>(row.code));
  ExpectCountedOnlyAs(row.reason);
  ExpectOthersStillServed();
}

// A misbehaviour that is one text frame.
auto Frame(std::string text) {
  return
      [text](WsClient& client, ScriptedOperator&, testing::RouterUnderTest&) { client.Send(text); };
}

INSTANTIATE_TEST_SUITE_P(
    Router, WsBadInput,
    ::testing::Values(
        WsCase{"MalformedJson", Frame("{not json"), websocket::close_code::bad_payload,
               "malformed_json"},
        WsCase{"JsonThatIsNotAnObject", Frame("[1,2,3]"), websocket::close_code::bad_payload,
               "malformed_json"},
        WsCase{"InvalidUtf8", Frame("{\"packet_type\":\"alive\",\"subject_id\":\"\xff\"}"),
               websocket::close_code::bad_payload, "invalid_utf8"},
        WsCase{"ForgedAgentId", Frame(Alive("bystander").dump()),
               websocket::close_code::policy_error, "forged_agent_id"},
        WsCase{"AnotherAgentsTag",
               Frame(Heartbeat("bystander2" + kBystander.substr(kBystander.rfind('-'))).dump()),
               websocket::close_code::policy_error, "forged_agent_id"},
        WsCase{"UnknownPacketType", Frame(R"({"packet_type":"launch","subject_id":"a"})"),
               websocket::close_code::policy_error, "unknown_packet_type"},
        WsCase{"MissingPacketType", Frame(R"({"subject_id":"a"})"),
               websocket::close_code::policy_error, "missing_field"},
        WsCase{"MissingSubject", Frame(R"({"packet_type":"heartbeat"})"),
               websocket::close_code::policy_error, "missing_field"},
        WsCase{"LiveUpdateForAnotherAgent",
               Frame(R"({"packet_type":"mephisto_bound_live_update","subject_id":")" + kBystander +
                     R"(",)"
                     R"("data":{"update_id":"x"}})"),
               websocket::close_code::policy_error, "wrong_agent"},
        WsCase{"BinaryFrame",
               [](WsClient& client, ScriptedOperator&, testing::RouterUnderTest&) {
                 client.SendBinary(std::string("\x01\x02\x03", 3));
               },
               websocket::close_code::bad_payload, "binary_frame"},
        WsCase{"OversizedFrame",
               Frame(R"({"packet_type":"heartbeat","subject_id":"a","pad":")" +
                     std::string(kFrameLimit, 'x') + R"("})"),
               websocket::close_code::too_big, "frame_too_large"},
        WsCase{"ProtocolViolation",
               [](WsClient& client, ScriptedOperator&, testing::RouterUnderTest&) {
                 // FIN with the reserved opcode 0xF, masked, empty: no browser sends this.
                 client.SendRaw(std::string("\x8f\x80\x00\x00\x00\x00", 6));
               },
               websocket::close_code::protocol_error, "protocol_error"},
        WsCase{"TooFast",
               [](WsClient& client, ScriptedOperator&, testing::RouterUnderTest&) {
                 // Three times the burst, faster than any refill: the rate limit must bite.
                 for (int i = 0; i < 3 * 2 * static_cast<int>(kRateLimit); ++i) {
                   client.Send(Heartbeat(ScriptedOperator::AgentId("flood")));
                 }
               },
               websocket::close_code::policy_error, "rate_limited"},
        WsCase{"NeverReads",
               [](WsClient& client, ScriptedOperator& op, testing::RouterUnderTest& router) {
                 const auto slow_agent = ScriptedOperator::AgentId("slow-agent");
                 client.Send(Alive(slow_agent));
                 ASSERT_EQ(client.Next()["packet_type"], "update_status");
                 // Live updates pile up behind the kernel's socket buffers until the
                 // router's send queue for this socket passes its limit.
                 const std::string update =
                     json{{"update_id", "big"}, {"text", std::string(32 * 1024, 'z')}}.dump();
                 auto closed = [&] { return router.RejectedByReason()["slow_consumer"] > 0; };
                 for (int batch = 0; batch < 40 && !closed(); ++batch) {
                   for (int i = 0; i < 20; ++i) {
                     op.SendToAgent("client_bound_live_update", slow_agent, update);
                   }
                   Eventually(closed, 0.5);
                 }
                 ASSERT_TRUE(closed()) << "the router kept queueing for a client that never reads";
               },
               websocket::close_code::policy_error, "slow_consumer"}),
    [](const auto& row) { return row.param.name; });

}  // namespace
}  // namespace throng::router

// The echo backend's ZeroMQ mode against the real router, in-process: registrations, alive,
// live updates and submissions all answered as the router expects from its operator.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "eventually.hpp"
#include "packet_counters.hpp"
#include "router_clients.hpp"
#include "router_under_test.hpp"
#include "throng/common/agent_credentials.hpp"
#include "unique_temp_path.hpp"
#include "zmq_echo_peer.hpp"

namespace throng::echo {
namespace {

using nlohmann::json;
using testing::Eventually;

const std::string kKey = "echo-backend-test-credential-key-0123";

// A page's WebSocket that hands over each frame's text as it arrived, so the test can see
// whether the data was re-encoded on the way. A frame that does not come within five seconds
// fails the test instead of hanging it.
class Page {
 public:
  explicit Page(std::uint16_t port) : ws_(io_) {
    boost::beast::get_lowest_layer(ws_).connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.handshake("127.0.0.1", "/");
    ws_.text(true);
  }
  void Send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
  void Send(const json& packet) { Send(packet.dump()); }
  std::string NextText() {
    boost::beast::flat_buffer buffer;
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    ws_.async_read(buffer, [](boost::beast::error_code error, std::size_t) {
      if (error) throw boost::system::system_error(error, "no frame from the router");
    });
    io_.restart();
    io_.run();
    return boost::beast::buffers_to_string(buffer.data());
  }
  json Next() { return json::parse(NextText()); }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
};

class EchoBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_echo_backend");
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "index.html") << "<p>echo</p>";
    peer_ = std::make_unique<ZmqEchoPeer>(
        ZmqEchoOptions{"tcp://127.0.0.1:*", dir_.string(), kKey, std::chrono::milliseconds(500),
                       std::chrono::milliseconds(0)},
        DefaultClock(), counters_);
    peer_thread_ = std::thread([this] { peer_->Run(); });
    auto config = testing::TestRouterConfig(peer_->endpoint());
    config.ws_rate_limit = 1000;  // the test's burst of live updates is not abuse
    router_ = std::make_unique<testing::RouterUnderTest>(config);
    ASSERT_TRUE(Eventually([&] { return router_->Serving(); }));
  }
  void TearDown() override {
    router_.reset();
    peer_->RequestStop();
    peer_thread_.join();
    std::filesystem::remove_all(dir_);
  }

  // POST /request_agent as a page does; the router's whole answer.
  json RequestAgent(const std::string& worker) {
    json body{{"provider_data",
               {{"worker_name", worker},
                {"agent_registration_id", "a-" + worker},
                {"assignment_id", "a"},
                {"provider_type", "mock"}}},
              {"client_timestamp", 1.5}};
    auto reply = testing::HttpClient::Once(router_->port(), boost::beast::http::verb::post,
                                           "/request_agent", body.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.Json();
  }

  // Opens the agent's socket and reads the three status packets that follow: the router's own
  // answer to alive, the status pushed at registration (queued until now), and the echo's
  // answer to the alive the router passes on.
  void SayAlive(Page& browser, const std::string& agent_id) {
    browser.Send(json{{"packet_type", "alive"},
                      {"subject_id", agent_id},
                      {"data", {{"update_id", "alive-1"}}},
                      {"client_timestamp", 2.0}});
    for (int i = 0; i < 3; ++i) {
      auto packet = browser.Next();
      ASSERT_EQ(packet.value("packet_type", ""), "update_status") << packet.dump();
      EXPECT_EQ(packet["subject_id"], agent_id);
    }
  }

  std::filesystem::path dir_;
  PacketCounters counters_;
  std::unique_ptr<ZmqEchoPeer> peer_;
  std::thread peer_thread_;
  std::unique_ptr<testing::RouterUnderTest> router_;
};

TEST_F(EchoBackendTest, RegistrationGivesAnAgentIdTheRouterAccepts) {
  auto details = RequestAgent("w1");
  EXPECT_EQ(details["packet_type"], "agent_details");
  EXPECT_EQ(details["data"]["worker_id"], "1");
  EXPECT_TRUE(details["data"]["failure_reason"].is_null());
  ASSERT_TRUE(details["data"]["agent_id"].is_string()) << details.dump();
  const auto agent_id = details["data"]["agent_id"].get<std::string>();
  EXPECT_EQ(AgentCredentials(kKey).Verify(agent_id), "1");
  EXPECT_EQ(details["data"]["request_id"], details["subject_id"]);

  Page browser(router_->port());
  SayAlive(browser, agent_id);
  EXPECT_EQ(counters_.ReceivedCount("alive"), 1u);
  EXPECT_EQ(counters_.SentCount("update_status"), 2u);

  // A forged id is refused by the same router.
  testing::WsClient forger(router_->port());
  forger.Send(json{{"packet_type", "alive"}, {"subject_id", "1-forged"}, {"data", json::object()}});
  EXPECT_TRUE(forger.Next().contains("closed"));

  auto submitted = testing::HttpClient::Once(
      router_->port(), boost::beast::http::verb::post, "/submit_task",
      json{{"USED_AGENT_ID", agent_id}, {"final_data", {{"answer", 42}}}}.dump());
  EXPECT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.Json(), (json{{"status", "Submitted!"}}));
  EXPECT_EQ(counters_.SentCount("submit_ack"), 1u);
}

TEST_F(EchoBackendTest, EveryLiveUpdateComesBackOnceWithItsDataAndIsAcknowledged) {
  const auto agent_id = RequestAgent("w2")["data"]["agent_id"].get<std::string>();
  Page browser(router_->port());
  SayAlive(browser, agent_id);

  constexpr int kUpdates = 100;
  std::map<int, std::string> sent_data;
  for (int n = 0; n < kUpdates; ++n) {
    // Escapes, nesting and spacing that a re-encoding would change.
    sent_data[n] = R"({"n":)" + std::to_string(n) + R"(, "text":"h\u00e9 \"}\" ",)" +
                   R"("nested":{"list":[1, 2.50, null]},"update_id":"u)" + std::to_string(n) +
                   R"("})";
    browser.Send(R"({"packet_type":"mephisto_bound_live_update","subject_id":")" + agent_id +
                 R"(","data":)" + sent_data[n] + R"(,"client_timestamp":3.0})");
  }
  std::map<int, int> times_seen;
  for (int received = 0; received < kUpdates;) {
    auto text = browser.NextText();
    auto packet = json::parse(text, nullptr, false);
    ASSERT_TRUE(packet.is_object()) << text;
    if (packet["packet_type"] != "client_bound_live_update") continue;
    ++received;
    EXPECT_EQ(packet["subject_id"], agent_id);
    auto n = packet["data"]["n"].get<int>();
    ++times_seen[n];
    // The data arrives byte for byte as it was sent.
    EXPECT_NE(text.find(R"("data":)" + sent_data[n]), std::string::npos) << text;
  }
  EXPECT_EQ(times_seen.size(), static_cast<std::size_t>(kUpdates));
  for (const auto& [n, times] : times_seen) EXPECT_EQ(times, 1) << "update " << n;

  ASSERT_TRUE(Eventually([&] {
    return counters_.ReceivedCount("live_update_delivered") == kUpdates;
  })) << counters_.ToJson();
  EXPECT_EQ(counters_.ReceivedCount("mephisto_bound_live_update"), kUpdates);
  EXPECT_EQ(counters_.SentCount("client_bound_live_update"), kUpdates);
  EXPECT_EQ(counters_.DroppedCount(), 0u);
  EXPECT_EQ(counters_.MalformedCount(), 0u);
  // Nothing more follows: the next packet is the answer to a heartbeat.
  browser.Send(json{{"packet_type", "heartbeat"}, {"subject_id", agent_id}});
  EXPECT_EQ(browser.Next()["packet_type"], "heartbeat");
}

}  // namespace
}  // namespace throng::echo

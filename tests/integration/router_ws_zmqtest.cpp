// The router's WebSocket side against a scripted operator (a real ZeroMQ ROUTER socket in this
// process) and a real WebSocket client: alive/heartbeat answers, forwarding, queueing while
// the agent is away, and bad input closing only the offending connection.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "router_app.hpp"
#include "throng/common/envelope_codec.hpp"
#include "unique_temp_path.hpp"

namespace throng::router {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using nlohmann::json;
using tcp = boost::asio::ip::tcp;

// Polls `condition` for up to `seconds`; for conditions that depend on other threads.
template <typename Condition>
bool Eventually(Condition condition, double seconds = 5) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// A stand-in operator: announces one live run, records what routers send, sends on request.
class ScriptedOperator {
 public:
  explicit ScriptedOperator(std::string static_dir)
      : socket_(context_, zmq::socket_type::router), static_dir_(std::move(static_dir)) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Loop(); });
  }
  ~ScriptedOperator() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }

  std::vector<v1::Envelope> Received(const std::string& packet_type) {
    std::lock_guard lock(mutex_);
    std::vector<v1::Envelope> out;
    for (const auto& e : received_) {
      if (e.packet_type() == packet_type) out.push_back(e);
    }
    return out;
  }
  void SendToAgent(const std::string& type, const std::string& agent_id, const std::string& data) {
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type(type);
    envelope.set_agent_id(agent_id);
    envelope.set_payload(data);
    std::lock_guard lock(mutex_);
    outbox_.push_back(envelope);
  }

 private:
  void Loop() {
    auto next_beat = std::chrono::steady_clock::now();
    while (!stop_) {
      zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(10));
      if (items[0].revents & ZMQ_POLLIN) {
        zmq::message_t identity, frame;
        (void)socket_.recv(identity);
        (void)socket_.recv(frame);
        identity_ = identity.to_string();
        auto envelope = DecodeEnvelope(frame);
        if (envelope && envelope->kind() == v1::ENVELOPE_KIND_PACKET) {
          std::lock_guard lock(mutex_);
          received_.push_back(*envelope);
        }
      }
      if (identity_.empty()) continue;
      if (std::chrono::steady_clock::now() >= next_beat) {
        v1::OperatorBeat beat;
        auto* run = beat.add_runs();
        run->set_task_run_id("1");
        run->set_static_dir(static_dir_);
        run->set_task_config_json(R"({"mephisto_task_version":"2.0.4"})");
        v1::Envelope envelope;
        envelope.set_kind(v1::ENVELOPE_KIND_OPERATOR_BEAT);
        envelope.set_payload(beat.SerializeAsString());
        Send(envelope);
        next_beat = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      }
      std::vector<v1::Envelope> pending;
      {
        std::lock_guard lock(mutex_);
        pending.swap(outbox_);
      }
      for (const auto& envelope : pending) Send(envelope);
    }
  }
  void Send(const v1::Envelope& envelope) {
    socket_.send(zmq::buffer(identity_), zmq::send_flags::sndmore);
    socket_.send(EncodeEnvelope(envelope), zmq::send_flags::none);
  }

  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string static_dir_;
  std::string endpoint_;
  std::string identity_;
  std::mutex mutex_;
  std::vector<v1::Envelope> received_;
  std::vector<v1::Envelope> outbox_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class Browser {
 public:
  explicit Browser(std::uint16_t port) : ws_(io_) {
    tcp::resolver resolver(io_);
    boost::asio::connect(ws_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.handshake("127.0.0.1", "/");
    ws_.next_layer().set_option(boost::asio::socket_base::linger(true, 0));
  }
  void Send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
  void Send(const json& packet) { Send(packet.dump()); }
  // The next packet, or a JSON object {"closed": code} once the server closed the socket.
  json Next() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return json{{"closed", static_cast<int>(ws_.reason().code)}};
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  void Drop() { ws_.next_layer().close(); }

 private:
  boost::asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

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
    RouterConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.admin_port = 0;
    config.operator_endpoint = operator_->endpoint();
    config.redis_url = "redis://127.0.0.1:1";  // unreachable on purpose: must not matter
    config.instance_id = "router-under-test";
    config.ws_rate_limit = 20;
    app_ = std::make_unique<RouterApp>(config, DefaultClock());
    ASSERT_TRUE(app_->Start());
    thread_ = std::thread([this] { app_->Run(); });
    ASSERT_TRUE(Eventually([&] { return !operator_->Received("never").size() && Ready(); }));
  }
  void TearDown() override {
    app_->RequestStop(2);
    thread_.join();
    app_.reset();
    operator_.reset();
    std::filesystem::remove_all(dir_);
  }
  bool Ready() {
    // The router serves the run once the scripted operator's heartbeat arrived.
    try {
      Browser probe(app_->Port());
      probe.Send(json{{"packet_type", "heartbeat"}, {"subject_id", "probe"}});
      return probe.Next()["data"]["last_mephisto_ping"].get<std::int64_t>() > 0;
    } catch (const std::exception&) {
      return false;
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<ScriptedOperator> operator_;
  std::unique_ptr<RouterApp> app_;
  std::thread thread_;
};

TEST_F(RouterWebsocketTest, AliveGetsCachedStatusAndIsReportedUpstream) {
  Browser browser(app_->Port());
  browser.Send(Alive("agent-1"));
  auto status = browser.Next();
  EXPECT_EQ(status["packet_type"], "update_status");
  EXPECT_EQ(status["subject_id"], "agent-1");
  EXPECT_EQ(status["data"]["status"], "none");
  EXPECT_TRUE(status["router_outgoing_timestamp"].is_number());
  ASSERT_TRUE(Eventually([&] { return operator_->Received("alive").size() == 1; }));
  EXPECT_EQ(operator_->Received("alive")[0].agent_id(), "agent-1");
  EXPECT_EQ(operator_->Received("alive")[0].router_id(), "router-under-test");
}

TEST_F(RouterWebsocketTest, HeartbeatEchoesWithEpochMillisecondPingAndStatus) {
  Browser browser(app_->Port());
  browser.Send(Alive("agent-2"));
  browser.Next();
  operator_->SendToAgent("update_status", "agent-2", R"({"status":"in task"})");
  EXPECT_EQ(browser.Next()["data"]["status"], "in task");
  browser.Send(
      json{{"packet_type", "heartbeat"}, {"subject_id", "agent-2"}, {"client_timestamp", 5.5}});
  auto reply = browser.Next();
  EXPECT_EQ(reply["packet_type"], "heartbeat");
  EXPECT_EQ(reply["data"]["status"], "in task");
  EXPECT_DOUBLE_EQ(reply["client_timestamp"].get<double>(), 5.5);
  auto ping = reply["data"]["last_mephisto_ping"].get<std::int64_t>();
  EXPECT_LE(std::abs(DefaultClock().NowMillis() - ping), 5000);  // epoch ms, fresh
}

TEST_F(RouterWebsocketTest, LiveUpdatesGoUpUnchangedAndComeDownInOrder) {
  Browser browser(app_->Port());
  browser.Send(Alive("agent-3"));
  browser.Next();
  const std::string frame =
      R"({"packet_type":"mephisto_bound_live_update","subject_id":"agent-3","data":{"text":"héllo","update_id":"u1"},"client_timestamp":2})";
  browser.Send(frame);
  ASSERT_TRUE(
      Eventually([&] { return operator_->Received("mephisto_bound_live_update").size() == 1; }));
  auto up = operator_->Received("mephisto_bound_live_update")[0];
  EXPECT_EQ(up.payload(), frame);
  EXPECT_EQ(up.agent_id(), "agent-3");
  EXPECT_GT(up.timestamps().router_incoming(), 0);
  EXPECT_GT(up.timestamps().router_outgoing(), 0);

  operator_->SendToAgent("client_bound_live_update", "agent-3", R"({"n":1,"update_id":"d1"})");
  operator_->SendToAgent("client_bound_live_update", "agent-3", R"({"n":2,"update_id":"d2"})");
  auto first = browser.Next();
  auto second = browser.Next();
  EXPECT_EQ(first["packet_type"], "client_bound_live_update");
  EXPECT_EQ(first["data"]["n"], 1);
  EXPECT_EQ(second["data"]["update_id"], "d2");
}

TEST_F(RouterWebsocketTest, PacketsForAnAbsentAgentWaitForItsReconnect) {
  {
    Browser browser(app_->Port());
    browser.Send(Alive("agent-4"));
    browser.Next();
    browser.Drop();
  }
  operator_->SendToAgent("client_bound_live_update", "agent-4", R"({"n":7,"update_id":"q1"})");
  Browser again(app_->Port());
  // Give the router the packet before the reconnect, then reconnect.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  again.Send(Alive("agent-4"));
  EXPECT_EQ(again.Next()["packet_type"], "update_status");
  auto queued = again.Next();
  EXPECT_EQ(queued["packet_type"], "client_bound_live_update");
  EXPECT_EQ(queued["data"]["n"], 7);
}

TEST_F(RouterWebsocketTest, BadInputClosesOnlyThatConnectionWithAClearCode) {
  Browser healthy(app_->Port());
  healthy.Send(Alive("agent-5"));
  healthy.Next();

  struct Case {
    std::string frame;
    websocket::close_code code;
  };
  const std::vector<Case> cases{
      {"{not json", websocket::close_code::bad_payload},
      {"[1,2,3]", websocket::close_code::bad_payload},
      {std::string("{\"packet_type\":\"alive\",\"subject_id\":\"\xff\"}"),
       websocket::close_code::bad_payload},
      {R"({"packet_type":"launch","subject_id":"a"})", websocket::close_code::policy_error},
      {R"({"subject_id":"a"})", websocket::close_code::policy_error},
      {R"({"packet_type":"alive"})", websocket::close_code::policy_error},
      {R"({"packet_type":"mephisto_bound_live_update","subject_id":"agent-5","data":{}})",
       websocket::close_code::policy_error},  // not this socket's agent
  };
  for (const auto& c : cases) {
    Browser bad(app_->Port());
    bad.Send(c.frame);
    EXPECT_EQ(bad.Next()["closed"], static_cast<int>(c.code)) << c.frame;
  }
  Browser flood(app_->Port());
  json last;
  for (int i = 0; i < 200 && !last.contains("closed"); ++i) {
    flood.Send(json{{"packet_type", "heartbeat"}, {"subject_id", "flood"}});
    last = flood.Next();
  }
  EXPECT_EQ(last["closed"], static_cast<int>(websocket::close_code::policy_error));

  healthy.Send(json{{"packet_type", "heartbeat"}, {"subject_id", "agent-5"}});
  EXPECT_EQ(healthy.Next()["packet_type"], "heartbeat");
}

TEST_F(RouterWebsocketTest, StopTellsConnectedPagesTheRouterIsGoingAway) {
  Browser browser(app_->Port());
  browser.Send(Alive("agent-6"));
  browser.Next();
  app_->RequestStop(1);
  EXPECT_EQ(browser.Next()["closed"], static_cast<int>(websocket::close_code::going_away));
}

}  // namespace
}  // namespace throng::router

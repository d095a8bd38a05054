// The echo backend's answers, without sockets: EnvelopeEcho (the throng operator's side),
// MephistoFrameEcho (Mephisto's Python server's side), the counters and URL parsing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "envelope_echo.hpp"
#include "manual_clock.hpp"
#include "mephisto_echo_peer.hpp"
#include "mephisto_frame_echo.hpp"
#include "packet_counters.hpp"

namespace throng::echo {
namespace {

using nlohmann::json;

const std::string kKey(32, 'k');

class EnvelopeEchoTest : public ::testing::Test {
 protected:
  std::vector<v1::Envelope> Answer(const v1::Envelope& request) {
    std::vector<v1::Envelope> out;
    echo_.Answer(request, out);
    return out;
  }
  static v1::Envelope Packet(const std::string& type, const std::string& request_id = "",
                             const std::string& agent_id = "", const std::string& payload = "") {
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type(type);
    envelope.set_request_id(request_id);
    envelope.set_agent_id(agent_id);
    envelope.set_task_run_id("1");
    envelope.set_payload(payload);
    envelope.mutable_timestamps()->set_client(10.5);
    envelope.mutable_timestamps()->set_router_incoming(11.25);
    envelope.mutable_timestamps()->set_router_outgoing(11.5);
    return envelope;
  }

  testing::ManualClock clock_;
  PacketCounters counters_;
  EnvelopeEcho echo_{AgentCredentials(kKey), clock_, counters_};
  AgentCredentials credentials_{kKey};
};

TEST_F(EnvelopeEchoTest, RegistrationIssuesASignedAgentAndPutsItInTask) {
  auto out = Answer(Packet("register_agent", "req-1", "", R"({"provider_data":{}})"));
  ASSERT_EQ(out.size(), 2u);
  const auto& details = out[0];
  EXPECT_EQ(details.kind(), v1::ENVELOPE_KIND_PACKET);
  EXPECT_EQ(details.packet_type(), "agent_details");
  EXPECT_EQ(details.request_id(), "req-1");
  EXPECT_EQ(details.task_run_id(), "1");
  EXPECT_DOUBLE_EQ(details.timestamps().client(), 10.5);
  EXPECT_DOUBLE_EQ(details.timestamps().router_incoming(), 11.25);
  EXPECT_DOUBLE_EQ(details.timestamps().server_incoming(), clock_.NowSeconds());
  EXPECT_DOUBLE_EQ(details.timestamps().server_outgoing(), clock_.NowSeconds());
  auto data = json::parse(details.payload());
  EXPECT_EQ(data["request_id"], "req-1");
  EXPECT_EQ(data["worker_id"], "1");
  EXPECT_EQ(data["init_task_data"], json::object());
  EXPECT_TRUE(data["failure_reason"].is_null());
  const auto agent_id = data["agent_id"].get<std::string>();
  EXPECT_EQ(credentials_.Verify(agent_id), "1");
  EXPECT_EQ(details.agent_id(), agent_id);

  const auto& status = out[1];
  EXPECT_EQ(status.packet_type(), "update_status");
  EXPECT_EQ(status.request_id(), "");
  EXPECT_EQ(status.agent_id(), agent_id);
  EXPECT_EQ(json::parse(status.payload()), (json{{"status", "in task"}}));

  // The next registration gets the next number.
  auto second = Answer(Packet("register_agent", "req-2"));
  EXPECT_EQ(credentials_.Verify(second[0].agent_id()), "2");
  EXPECT_EQ(counters_.ReceivedCount("register_agent"), 2u);
}

TEST_F(EnvelopeEchoTest, OnboardingSubmissionGetsAFreshAgent) {
  Answer(Packet("register_agent", "req-1"));
  auto out = Answer(
      Packet("submit_onboarding", "req-2", credentials_.Issue("1"), R"({"onboarding_data":{}})"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].packet_type(), "agent_details");
  EXPECT_EQ(out[0].request_id(), "req-2");
  auto data = json::parse(out[0].payload());
  EXPECT_EQ(data["request_id"], "req-2");
  EXPECT_EQ(credentials_.Verify(data["agent_id"].get<std::string>()), "2");
}

TEST_F(EnvelopeEchoTest, SubmissionsAreAcknowledged) {
  auto agent = credentials_.Issue("1");
  auto unit = Answer(Packet("submit_unit", "req-3", agent, R"({"final_data":{}})"));
  ASSERT_EQ(unit.size(), 1u);
  EXPECT_EQ(unit[0].packet_type(), "submit_ack");
  EXPECT_EQ(unit[0].request_id(), "req-3");
  EXPECT_EQ(unit[0].agent_id(), agent);
  EXPECT_EQ(unit[0].payload(), "{}");
  auto metadata = Answer(Packet("submit_metadata", "req-4", agent, R"({"metadata":{}})"));
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata[0].packet_type(), "metadata_ack");
  EXPECT_EQ(metadata[0].request_id(), "req-4");
}

TEST_F(EnvelopeEchoTest, AliveIsAnsweredWithAStatusPush) {
  auto agent = credentials_.Issue("5");
  auto out = Answer(Packet("alive", "", agent));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].packet_type(), "update_status");
  EXPECT_EQ(out[0].agent_id(), agent);
  EXPECT_EQ(out[0].request_id(), "");
  EXPECT_EQ(out[0].payload(), R"({"status":"in task"})");
  EXPECT_TRUE(Answer(Packet("alive")).empty());
  EXPECT_EQ(counters_.MalformedCount(), 1u);
}

TEST_F(EnvelopeEchoTest, LiveUpdatesComeBackWithTheirDataBytesAndIncreasingDeliveryIds) {
  auto agent = credentials_.Issue("3");
  const std::string data = R"({ "text" : "h\u00e9 \"}\"", "update_id":"u1" })";
  const std::string frame = R"({"packet_type":"mephisto_bound_live_update","subject_id":")" +
                            agent + R"(","data":)" + data + R"(,"client_timestamp":10.5})";
  auto first = Answer(Packet("mephisto_bound_live_update", "", agent, frame));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].packet_type(), "client_bound_live_update");
  EXPECT_EQ(first[0].agent_id(), agent);
  EXPECT_EQ(first[0].request_id(), "");
  EXPECT_EQ(first[0].payload(), data);
  EXPECT_DOUBLE_EQ(first[0].timestamps().client(), 10.5);
  EXPECT_DOUBLE_EQ(first[0].timestamps().router_incoming(), 11.25);
  EXPECT_GT(first[0].delivery_id(), 0);
  auto second = Answer(Packet("mephisto_bound_live_update", "", agent, frame));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second[0].delivery_id(), first[0].delivery_id());
}

TEST_F(EnvelopeEchoTest, MalformedLiveUpdatesAreCountedAndDropped) {
  auto agent = credentials_.Issue("3");
  EXPECT_TRUE(Answer(Packet("mephisto_bound_live_update", "", agent, R"({"data":)")).empty());
  EXPECT_TRUE(Answer(Packet("mephisto_bound_live_update", "", agent, R"({"x":1})")).empty());
  EXPECT_TRUE(Answer(Packet("mephisto_bound_live_update", "", "", R"({"data":{}})")).empty());
  EXPECT_EQ(counters_.MalformedCount(), 3u);
  EXPECT_EQ(counters_.ReceivedCount("mephisto_bound_live_update"), 3u);
}

TEST_F(EnvelopeEchoTest, NotificationsAndUnknownInputAreOnlyCounted) {
  for (const char* type : {"live_update_delivered", "log_error", "disconnect", "no_such_type"}) {
    EXPECT_TRUE(Answer(Packet(type, "", credentials_.Issue("1"))).empty()) << type;
  }
  EXPECT_TRUE(Answer(Packet("register_agent")).empty()) << "no request id to answer";
  v1::Envelope hello;
  hello.set_kind(v1::ENVELOPE_KIND_ROUTER_HELLO);
  EXPECT_TRUE(Answer(hello).empty());
  v1::Envelope beat;
  beat.set_kind(v1::ENVELOPE_KIND_OPERATOR_BEAT);
  EXPECT_TRUE(Answer(beat).empty());
  EXPECT_EQ(counters_.ReceivedCount("live_update_delivered"), 1u);
  EXPECT_EQ(counters_.ReceivedCount("disconnect"), 1u);
  EXPECT_EQ(counters_.ReceivedCount("other"), 1u);
  EXPECT_EQ(counters_.ReceivedCount("router_hello"), 1u);
  EXPECT_EQ(counters_.MalformedCount(), 2u);  // the registration without id, the beat
}

class MephistoFrameEchoTest : public ::testing::Test {
 protected:
  std::vector<OutgoingFrame> Answer(std::string_view frame) {
    std::vector<OutgoingFrame> out;
    echo_.Answer(frame, out);
    return out;
  }

  testing::ManualClock clock_;
  PacketCounters counters_;
  MephistoFrameEcho echo_{clock_, counters_};
};

TEST_F(MephistoFrameEchoTest, OpensAndPollsAsMephistosServer) {
  auto alive = json::parse(echo_.Alive().text);
  EXPECT_EQ(alive["packet_type"], "alive");
  EXPECT_EQ(alive["subject_id"], "mephisto");
  EXPECT_EQ(alive["data"], json::object());
  EXPECT_EQ(echo_.Alive().packet_type, "alive");
  auto poll = json::parse(echo_.RequestStatuses().text);
  EXPECT_EQ(poll["packet_type"], "request_statuses");
  EXPECT_EQ(poll["subject_id"], "mephisto");
  EXPECT_EQ(poll["data"], json::object());
}

TEST_F(MephistoFrameEchoTest, RegistrationAnswersOnTheChannelAndSetsTheAgentInTask) {
  auto out =
      Answer(R"({"packet_type":"register_agent","subject_id":"req-9","data":{"provider_data":)"
             R"({"worker_name":"w1","agent_registration_id":"a-w1"},"request_id":"req-9"},)"
             R"("client_timestamp":1.5,"router_incoming_timestamp":2.5})");
  ASSERT_EQ(out.size(), 2u);
  auto details = json::parse(out[0].text);
  EXPECT_EQ(out[0].packet_type, "agent_details");
  EXPECT_EQ(details["packet_type"], "agent_details");
  EXPECT_EQ(details["subject_id"], MephistoFrameEcho::kChannelId);
  EXPECT_EQ(details["data"]["request_id"], "req-9");
  EXPECT_EQ(details["data"]["agent_id"], "1");
  EXPECT_EQ(details["data"]["worker_id"], "1");
  EXPECT_EQ(details["data"]["init_task_data"], json::object());
  EXPECT_TRUE(details["data"]["failure_reason"].is_null());
  EXPECT_DOUBLE_EQ(details["server_timestamp"].get<double>(), clock_.NowSeconds());
  auto status = json::parse(out[1].text);
  EXPECT_EQ(status["packet_type"], "update_status");
  EXPECT_EQ(status["subject_id"], "1");
  EXPECT_EQ(status["data"], (json{{"status", "in task"}}));

  // Without data.request_id the router's own fallback, the subject id, is used.
  auto again = Answer(R"({"packet_type":"register_agent","subject_id":"req-10","data":{}})");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(json::parse(again[0].text)["data"]["request_id"], "req-10");
  EXPECT_EQ(json::parse(again[0].text)["data"]["agent_id"], "2");
}

TEST_F(MephistoFrameEchoTest, OnboardingSubmissionGetsANewAgent) {
  auto out = Answer(R"({"packet_type":"submit_onboarding","subject_id":"onboarding_1",)"
                    R"("data":{"onboarding_data":{},"request_id":"req-11"}})");
  ASSERT_EQ(out.size(), 1u);
  auto details = json::parse(out[0].text);
  EXPECT_EQ(details["data"]["request_id"], "req-11");
  EXPECT_EQ(details["data"]["agent_id"], "1");
  EXPECT_TRUE(Answer(R"({"packet_type":"submit_onboarding","subject_id":"x","data":{}})").empty());
  EXPECT_EQ(counters_.MalformedCount(), 1u);
}

TEST_F(MephistoFrameEchoTest, LiveUpdatesAreSplicedBackUnchanged) {
  const std::string data = R"({"text":"a \"quoted\" } brace","update_id":"u-7", "n": [1,2]})";
  auto out = Answer(R"({"packet_type":"mephisto_bound_live_update","subject_id":"17","data":)" +
                    data + R"(,"client_timestamp":3.5,"router_incoming_timestamp":4})");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].packet_type, "client_bound_live_update");
  EXPECT_NE(out[0].text.find(R"("data":)" + data + ","), std::string::npos) << out[0].text;
  auto packet = json::parse(out[0].text);
  EXPECT_EQ(packet["packet_type"], "client_bound_live_update");
  EXPECT_EQ(packet["subject_id"], "17");
  EXPECT_EQ(packet["data"], json::parse(data));
}

TEST_F(MephistoFrameEchoTest, EverythingElseIsCountedAndMalformedFramesDropped) {
  EXPECT_TRUE(
      Answer(R"({"packet_type":"return_statuses","subject_id":"mephisto","data":{"1":"in task"}})")
          .empty());
  EXPECT_TRUE(Answer(R"({"packet_type":"submit_unit","subject_id":"1","data":{}})").empty());
  EXPECT_TRUE(Answer(R"({"packet_type":"log_error","subject_id":"1","data":{}})").empty());
  EXPECT_EQ(counters_.ReceivedCount("return_statuses"), 1u);
  EXPECT_EQ(counters_.ReceivedCount("submit_unit"), 1u);
  EXPECT_EQ(counters_.ReceivedCount("log_error"), 1u);
  EXPECT_EQ(counters_.MalformedCount(), 0u);

  for (const char* bad :
       {"", "not json", "[]", R"({"packet_type":"alive"})",
        R"({"packet_type":1,"subject_id":"a","data":{}})",
        R"({"packet_type":"mephisto_bound_live_update","subject_id":5,"data":{}})",
        R"({"packet_type":"mephisto_bound_live_update","subject_id":"a","data":{})"}) {
    EXPECT_TRUE(Answer(bad).empty()) << bad;
  }
  EXPECT_EQ(counters_.MalformedCount(), 7u);
}

TEST(PacketCounters, ReportIsOneJsonLineOfWhatHappened) {
  PacketCounters counters;
  EXPECT_EQ(json::parse(counters.ToJson()), (json{{"received", json::object()},
                                                  {"sent", json::object()},
                                                  {"dropped", 0},
                                                  {"malformed", 0}}));
  counters.Received("alive");
  counters.Received("alive");
  counters.Received("something new");
  counters.Sent("update_status");
  counters.Dropped();
  counters.Malformed();
  auto text = counters.ToJson();
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(text), (json{{"received", {{"alive", 2}, {"other", 1}}},
                                     {"sent", {{"update_status", 1}}},
                                     {"dropped", 1},
                                     {"malformed", 1}}));
}

TEST(WebSocketUrl, SplitsHostPortAndPath) {
  auto url = ParseWebSocketUrl("ws://127.0.0.1:3000/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "3000");
  EXPECT_EQ(url->target, "/");
  url = ParseWebSocketUrl("ws://router.example");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->target, "/");
  url = ParseWebSocketUrl("ws://[::1]:8080/socket?x=1");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->target, "/socket?x=1");
  for (const char* bad : {"", "http://h:1/", "wss://h:1/", "ws://", "ws://:3000/", "ws://h:/",
                          "ws://h:0/", "ws://h:70000/", "ws://h:12x/"}) {
    EXPECT_FALSE(ParseWebSocketUrl(bad)) << bad;
  }
}

}  // namespace
}  // namespace throng::echo

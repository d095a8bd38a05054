#include "packet_handler.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "counter_value.hpp"
#include "manual_clock.hpp"
#include "test_agent_ids.hpp"
#include "worker_failure_reasons.hpp"

namespace throng::operator_ {
namespace {

using nlohmann::json;
using testing::CounterValue;
using testing::SeriesValue;

// Records calls and answers with scripted results.
class FakeStore final : public TaskStore {
 public:
  RegistrationResult RegisterAgent(const RegistrationRequest& request) override {
    registrations.push_back(request);
    return next_registration;
  }
  SubmitResult SubmitUnit(std::int64_t agent_id, const std::string& submission) override {
    if (fail_submit) throw std::runtime_error("connection lost");
    submissions.emplace_back(agent_id, submission);
    SubmitResult result{next_submit, 7, std::nullopt};
    if (next_submit == SubmitOutcome::kCompleted) {
      result.seconds_worked = 42;
      result.unit_type = next_unit_type;
      if (next_unit_type != "standard") result.answers_passed = next_answers_passed;
    }
    return result;
  }
  void LogClientError(std::optional<std::int64_t>, const std::string& agent_id,
                      const std::string& error_json) override {
    errors.emplace_back(agent_id, error_json);
  }

  bool StoreLiveUpdate(std::int64_t agent_id, const std::string& update_id,
                       const std::string& data_json) override {
    for (const auto& stored : live_updates) {
      if (std::get<0>(stored) == agent_id && std::get<1>(stored) == update_id) return false;
    }
    live_updates.emplace_back(agent_id, update_id, data_json);
    return true;
  }
  bool StoreMetadata(std::int64_t agent_id, const std::string& metadata_json) override {
    metadata.emplace_back(agent_id, metadata_json);
    return agent_id == 11;
  }
  bool DisconnectAgent(std::int64_t agent_id) override {
    disconnected.push_back(agent_id);
    return true;
  }
  OnboardingSubmission SubmitOnboarding(std::int64_t onboarding_agent_id,
                                        const std::string& onboarding_data_json) override {
    onboarding_submissions.emplace_back(onboarding_agent_id, onboarding_data_json);
    return next_onboarding;
  }
  bool DisconnectOnboardingAgent(std::int64_t onboarding_agent_id) override {
    disconnected_onboarding.push_back(onboarding_agent_id);
    return true;
  }

  RegistrationResult next_registration;
  OnboardingSubmission next_onboarding;
  std::vector<std::pair<std::int64_t, std::string>> onboarding_submissions;
  std::vector<std::int64_t> disconnected_onboarding;
  std::vector<std::tuple<std::int64_t, std::string, std::string>> live_updates;
  std::vector<std::int64_t> disconnected;
  std::vector<std::pair<std::int64_t, std::string>> metadata;
  SubmitOutcome next_submit = SubmitOutcome::kCompleted;
  std::string next_unit_type = "standard";
  bool next_answers_passed = true;
  bool fail_submit = false;
  std::vector<RegistrationRequest> registrations;
  std::vector<std::pair<std::int64_t, std::string>> submissions;
  std::vector<std::pair<std::string, std::string>> errors;
};

class PacketHandlerTest : public ::testing::Test {
 protected:
  PacketHandlerTest()
      : probe_(registry_), handler_(store_, ids_, probe_, clock_, nullptr, &quality_) {}

  // An agent id as the operator issues it for `subject` ("11", "onboarding_42").
  std::string Id(const std::string& subject) const { return ids_.credentials().Issue(subject); }

  v1::Envelope Packet(const std::string& type, const std::string& payload) {
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type(type);
    envelope.set_request_id("req-1");
    envelope.set_task_run_id("7");
    envelope.set_payload(payload);
    envelope.set_deadline_ms(clock_.NowMillis() + 30'000);
    return envelope;
  }

  static v1::ErrorReply ErrorOf(const v1::Envelope& reply) {
    v1::ErrorReply error;
    error.ParseFromString(reply.payload());
    return error;
  }

  prometheus::Registry registry_;
  testing::ManualClock clock_;
  FakeStore store_;
  OperatorProbe probe_;
  SubmissionQualityClassifier quality_;
  const AgentIds& ids_ = testing::TestAgentIds();
  PacketHandler handler_;
};

TEST_F(PacketHandlerTest, RegisterAgentAnswersWithMephistoAgentDetails) {
  store_.next_registration = {"assigned", 3, 11, 5, R"({"html":"task.html","x":"1"})", {}};
  auto reply = handler_.Handle(Packet(
      "register_agent",
      R"({"provider_data":{"worker_name":"w1","agent_registration_id":"a-w1","provider_type":"mock"},"client_timestamp":1})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind(), v1::ENVELOPE_KIND_PACKET);
  EXPECT_EQ(reply->packet_type(), "agent_details");
  EXPECT_EQ(reply->request_id(), "req-1");
  auto data = json::parse(reply->payload());
  EXPECT_EQ(data["agent_id"], Id("11"));
  EXPECT_EQ(data["worker_id"], "3");
  EXPECT_EQ(data["request_id"], "req-1");
  EXPECT_EQ(data["init_task_data"]["x"], "1");
  EXPECT_TRUE(data["failure_reason"].is_null());
  ASSERT_EQ(store_.registrations.size(), 1u);
  EXPECT_EQ(store_.registrations[0].task_run_id, 7);
  EXPECT_EQ(store_.registrations[0].worker_name, "w1");
  EXPECT_EQ(store_.registrations[0].registration_id, "a-w1");
}

TEST_F(PacketHandlerTest, RefusalsCarryMephistoFailureTexts) {
  store_.next_registration = {"no_available_units", 3, std::nullopt, std::nullopt, "null", {}};
  auto reply =
      handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  ASSERT_TRUE(reply);
  auto data = json::parse(reply->payload());
  EXPECT_TRUE(data["agent_id"].is_null());
  EXPECT_EQ(data["failure_reason"], kNoAvailableUnits);

  store_.next_registration = {"agent_missing", 3, std::nullopt, std::nullopt, "null", {}};
  reply = handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  EXPECT_EQ(json::parse(reply->payload())["failure_reason"], kTaskMissing);
}

TEST_F(PacketHandlerTest, MalformedRegistrationsGetBadRequestWithoutTouchingTheStore) {
  for (const char* payload :
       {"not json", "[]", R"({"provider_data":"x"})", R"({"provider_data":{"worker_name":""}})",
        R"({"provider_data":{"worker_name":5}})"}) {
    auto reply = handler_.Handle(Packet("register_agent", payload));
    ASSERT_TRUE(reply) << payload;
    EXPECT_EQ(reply->kind(), v1::ENVELOPE_KIND_ERROR_REPLY) << payload;
    EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_BAD_REQUEST) << payload;
  }
  EXPECT_TRUE(store_.registrations.empty());
}

TEST_F(PacketHandlerTest, SubmitStoresFinalDataAndAcknowledges) {
  auto packet =
      Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("11") + R"(","final_data":{"a":[1,2]}})");
  packet.set_agent_id(Id("11"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->packet_type(), "submit_ack");
  ASSERT_EQ(store_.submissions.size(), 1u);
  EXPECT_EQ(store_.submissions[0].first, 11);
  EXPECT_EQ(json::parse(store_.submissions[0].second), json::parse(R"({"a":[1,2]})"));
}

TEST_F(PacketHandlerTest, SubmitForUnknownOrNonNumericAgentIsAnUnknownAgentError) {
  store_.next_submit = SubmitOutcome::kUnknownAgent;
  auto reply = handler_.Handle(
      Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("99") + R"(","final_data":{}})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_UNKNOWN_AGENT);
  reply = handler_.Handle(Packet("submit_unit", R"({"USED_AGENT_ID":"abc","final_data":{}})"));
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_UNKNOWN_AGENT);
  EXPECT_EQ(store_.submissions.size(), 1u);  // only the issued one reached the store
}

TEST_F(PacketHandlerTest, StoreFailureBecomesAnInternalErrorReplyNotACrash) {
  store_.fail_submit = true;
  auto reply = handler_.Handle(
      Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("1") + R"(","final_data":{}})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_INTERNAL);
}

TEST_F(PacketHandlerTest, LateRequestsAreDroppedUnanswered) {
  auto packet = Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})");
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_FALSE(handler_.Handle(packet));
  EXPECT_TRUE(store_.registrations.empty());
}

TEST_F(PacketHandlerTest, UnknownPacketTypeIsABadRequest) {
  auto reply = handler_.Handle(Packet("launch_missiles", "{}"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(PacketHandlerTest, LogErrorIsStoredWithoutReply) {
  auto packet = Packet("log_error", R"({"USED_AGENT_ID":"4","error_data":{"msg":"boom"}})");
  packet.set_agent_id(Id("4"));
  EXPECT_FALSE(handler_.Handle(packet));
  ASSERT_EQ(store_.errors.size(), 1u);
  EXPECT_EQ(store_.errors[0].first, "4");  // the row it names, not the credential
  EXPECT_EQ(json::parse(store_.errors[0].second)["msg"], "boom");
}

TEST_F(PacketHandlerTest, LiveUpdatesAreStoredOncePerUpdateId) {
  auto packet = Packet("mephisto_bound_live_update",
                       R"({"packet_type":"mephisto_bound_live_update","subject_id":"5",)"
                       R"("data":{"text":"hi","update_id":"u-1"}})");
  packet.set_agent_id(Id("5"));
  EXPECT_FALSE(handler_.Handle(packet));
  EXPECT_FALSE(handler_.Handle(packet));  // a resend
  ASSERT_EQ(store_.live_updates.size(), 1u);
  EXPECT_EQ(std::get<1>(store_.live_updates[0]), "u-1");
  EXPECT_EQ(json::parse(std::get<2>(store_.live_updates[0]))["text"], "hi");
}

TEST_F(PacketHandlerTest, DisconnectReachesTheStore) {
  auto packet = Packet("disconnect", "");
  packet.set_agent_id(Id("9"));
  EXPECT_FALSE(handler_.Handle(packet));
  EXPECT_EQ(store_.disconnected, std::vector<std::int64_t>{9});
}

TEST_F(PacketHandlerTest, MetadataIsStoredAndAcknowledgedOrRefusedForUnknownAgents) {
  auto packet = Packet("submit_metadata", R"({"USED_AGENT_ID":")" + Id("11") +
                                              R"(","metadata":{"tips":{"text":"x"}}})");
  packet.set_agent_id(Id("11"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->packet_type(), "metadata_ack");
  EXPECT_EQ(json::parse(store_.metadata.at(0).second)["tips"]["text"], "x");
  packet.set_agent_id(Id("12"));
  reply = handler_.Handle(packet);
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_UNKNOWN_AGENT);
  reply = handler_.Handle(Packet("submit_metadata", R"({"metadata":"nope"})"));
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_BAD_REQUEST);
}

TEST_F(PacketHandlerTest, AWorkerWhoMustOnboardGetsAnOnboardingAgentWithTheOnboardingData) {
  store_.next_registration = {"onboarding", 3, 42, std::nullopt, R"({"question":"2+2?"})", {}};
  auto reply = handler_.Handle(Packet(
      "register_agent", R"({"provider_data":{"worker_name":"w","agent_registration_id":"r"}})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->packet_type(), "agent_details");
  EXPECT_EQ(reply->agent_id(), Id("onboarding_42"));
  auto data = json::parse(reply->payload());
  EXPECT_EQ(data["agent_id"], Id("onboarding_42"));
  EXPECT_EQ(data["worker_id"], "3");
  EXPECT_EQ(data["init_task_data"]["question"], "2+2?");
  EXPECT_TRUE(data["failure_reason"].is_null());
  EXPECT_EQ(CounterValue(registry_, "throng_operator_agent_details_responses_total", "response",
                         "assigned_onboarding"),
            1);
  const std::map<std::string, std::string> run_7{{"task_run_id", "7"}};
  EXPECT_EQ(SeriesValue(registry_, "throng_operator_onboarding_agents_launched_total", run_7), 1);

  // A reload of the onboarding page: the same onboarding agent, counted as a reconnection.
  store_.next_registration = {"onboarding_reconnection", 3, 42, std::nullopt, R"({"q":1})", {}};
  reply = handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  EXPECT_EQ(json::parse(reply->payload())["agent_id"], Id("onboarding_42"));
  EXPECT_EQ(SeriesValue(registry_, "throng_operator_onboarding_agents_launched_total", run_7), 1);
}

TEST_F(PacketHandlerTest, NotQualifiedWorkersGetMephistosText) {
  store_.next_registration = {"not_qualified", 3, std::nullopt, std::nullopt, "null", {}};
  auto reply =
      handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  ASSERT_TRUE(reply);
  auto data = json::parse(reply->payload());
  EXPECT_TRUE(data["agent_id"].is_null());
  EXPECT_EQ(data["failure_reason"], kNotQualified);
  EXPECT_EQ(CounterValue(registry_, "throng_operator_agent_details_responses_total", "response",
                         "not_qualified"),
            1);
}

TEST_F(PacketHandlerTest, PassedOnboardingAnswersWithTheRealAgentInTheSameReply) {
  store_.next_onboarding = {"passed", {"assigned", 3, 11, 5, R"({"text":"row 0"})", {}}, 7};
  auto packet =
      Packet("submit_onboarding", R"({"onboarding_data":{"answer":"4"},"request_id":"req-1"})");
  packet.set_agent_id(Id("onboarding_42"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind(), v1::ENVELOPE_KIND_PACKET);
  EXPECT_EQ(reply->packet_type(), "agent_details");
  EXPECT_EQ(reply->request_id(), "req-1");
  EXPECT_EQ(reply->agent_id(), Id("11"));
  auto data = json::parse(reply->payload());
  EXPECT_EQ(data["request_id"], "req-1");
  EXPECT_EQ(data["agent_id"], Id("11"));
  EXPECT_EQ(data["worker_id"], "3");
  EXPECT_EQ(data["init_task_data"]["text"], "row 0");
  EXPECT_TRUE(data["failure_reason"].is_null());
  ASSERT_EQ(store_.onboarding_submissions.size(), 1u);
  EXPECT_EQ(store_.onboarding_submissions[0].first, 42);
  EXPECT_EQ(json::parse(store_.onboarding_submissions[0].second), json::parse(R"({"answer":"4"})"));
  EXPECT_EQ(SeriesValue(registry_, "throng_operator_validation_outcomes_total",
                        {{"task_run_id", "7"}, {"kind", "onboarding"}, {"outcome", "passed"}}),
            1);

  // Passed, but the last unit went meanwhile: Mephisto's NO_AVAILABLE_UNITS.
  store_.next_onboarding = {"passed",
                            {"no_available_units", 3, std::nullopt, std::nullopt, "null", {}}};
  reply = handler_.Handle(packet);
  data = json::parse(reply->payload());
  EXPECT_TRUE(data["agent_id"].is_null());
  EXPECT_EQ(data["failure_reason"], kNoAvailableUnits);
}

TEST_F(PacketHandlerTest, FailedOnboardingIsNotQualifiedAndARetryIsNotCountedTwice) {
  store_.next_onboarding = {
      "failed", {"not_qualified", 3, std::nullopt, std::nullopt, "null", {}}, 7};
  auto packet = Packet("submit_onboarding", R"({"onboarding_data":{"answer":"5"}})");
  packet.set_agent_id(Id("onboarding_42"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->packet_type(), "agent_details");
  auto data = json::parse(reply->payload());
  EXPECT_TRUE(data["agent_id"].is_null());
  EXPECT_EQ(data["failure_reason"], kNotQualified);
  store_.next_onboarding = {
      "decided", {"not_qualified", 3, std::nullopt, std::nullopt, "null", {}}, 7};
  reply = handler_.Handle(packet);
  EXPECT_EQ(json::parse(reply->payload())["failure_reason"], kNotQualified);
  EXPECT_EQ(SeriesValue(registry_, "throng_operator_validation_outcomes_total",
                        {{"task_run_id", "7"}, {"kind", "onboarding"}, {"outcome", "failed"}}),
            1);
}

TEST_F(PacketHandlerTest, BadOnboardingSubmissionsGetClearErrorsNotCrashes) {
  struct Case {
    std::string agent_id;
    std::string payload;
    v1::ErrorCode code;
  };
  for (const auto& [agent_id, payload, code] : std::vector<Case>{
           {"onboarding_42", "not json", v1::ERROR_CODE_BAD_REQUEST},
           {"onboarding_42", R"({"request_id":"r"})", v1::ERROR_CODE_BAD_REQUEST},
           {"onboarding_42", R"({"onboarding_data":"yes"})", v1::ERROR_CODE_BAD_REQUEST},
           {"onboarding_42", R"({"onboarding_data":[1]})", v1::ERROR_CODE_BAD_REQUEST},
           {"onboarding_x", R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
           {"onboarding_", R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
           {"onboarding_-3", R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
           {"onboarding_99999999999999999999", R"({"onboarding_data":{}})",
            v1::ERROR_CODE_UNKNOWN_AGENT},
           {"42", R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
           {Id("42"), R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
           {"onboarding_42-" + std::string(32, '0'), R"({"onboarding_data":{}})",
            v1::ERROR_CODE_UNKNOWN_AGENT},
           {"", R"({"onboarding_data":{}})", v1::ERROR_CODE_UNKNOWN_AGENT},
       }) {
    auto packet = Packet("submit_onboarding", payload);
    packet.set_agent_id(agent_id);
    auto reply = handler_.Handle(packet);
    ASSERT_TRUE(reply) << agent_id << " " << payload;
    EXPECT_EQ(reply->kind(), v1::ENVELOPE_KIND_ERROR_REPLY) << agent_id << " " << payload;
    EXPECT_EQ(ErrorOf(*reply).code(), code) << agent_id << " " << payload;
    EXPECT_FALSE(ErrorOf(*reply).message().empty());
  }
  EXPECT_TRUE(store_.onboarding_submissions.empty());

  // A well-formed id the database does not know.
  store_.next_onboarding = {
      "none", {"unknown_agent", std::nullopt, std::nullopt, std::nullopt, "null", {}}};
  auto packet = Packet("submit_onboarding", R"({"onboarding_data":{}})");
  packet.set_agent_id(Id("onboarding_77"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_UNKNOWN_AGENT);
  EXPECT_NE(ErrorOf(*reply).message().find("onboarding_77"), std::string::npos);
}

TEST_F(PacketHandlerTest, AgentIdsTheOperatorDidNotIssueNeverReachTheStore) {
  // The plain database id, a tag from another agent, another key's tag, a truncated tag.
  const std::string other_key_id =
      AgentCredentials(std::string(AgentCredentials::kMinKeyBytes, 'x')).Issue("11");
  for (const auto& forged : {std::string("11"), "11" + Id("12").substr(2), other_key_id,
                             Id("11").substr(0, Id("11").size() - 1), Id("11") + "0"}) {
    auto submit = Packet("submit_unit", R"({"final_data":{}})");
    submit.set_agent_id(forged);
    auto reply = handler_.Handle(submit);
    ASSERT_TRUE(reply) << forged;
    EXPECT_EQ(ErrorOf(*reply).code(), v1::ERROR_CODE_UNKNOWN_AGENT) << forged;
    auto metadata = Packet("submit_metadata", R"({"metadata":{}})");
    metadata.set_agent_id(forged);
    EXPECT_EQ(ErrorOf(*handler_.Handle(metadata)).code(), v1::ERROR_CODE_UNKNOWN_AGENT);
    for (const char* type : {"mephisto_bound_live_update", "disconnect"}) {
      auto packet = Packet(type, R"({"data":{"update_id":"u"}})");
      packet.set_agent_id(forged);
      EXPECT_FALSE(handler_.Handle(packet));
    }
  }
  EXPECT_TRUE(store_.submissions.empty());
  EXPECT_TRUE(store_.metadata.empty());
  EXPECT_TRUE(store_.live_updates.empty());
  EXPECT_TRUE(store_.disconnected.empty());
}

TEST_F(PacketHandlerTest, DisconnectedOnboardingAgentsAreToldTheTaskIsMissing) {
  store_.next_onboarding = {"none", {"agent_missing", 3, std::nullopt, std::nullopt, "null", {}}};
  auto packet = Packet("submit_onboarding", R"({"onboarding_data":{"a":1}})");
  packet.set_agent_id(Id("onboarding_42"));
  auto reply = handler_.Handle(packet);
  ASSERT_TRUE(reply);
  EXPECT_EQ(json::parse(reply->payload())["failure_reason"], kTaskMissing);

  auto disconnect = Packet("disconnect", "");
  disconnect.set_agent_id(Id("onboarding_42"));
  EXPECT_FALSE(handler_.Handle(disconnect));
  EXPECT_EQ(store_.disconnected_onboarding, std::vector<std::int64_t>{42});
  EXPECT_TRUE(store_.disconnected.empty());
}

TEST_F(PacketHandlerTest, ScreeningAndGoldUnitsAreCountedWhenARegistrationMakesThem) {
  store_.next_registration = {"assigned", 3, 11, 5, "{}", {}, "screening"};
  handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  store_.next_registration = {"reconnection", 3, 11, 5, "{}", {}, "screening"};
  handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"w"}})"));
  store_.next_registration = {"assigned", 3, 12, 6, "{}", {}, "standard"};
  handler_.Handle(Packet("register_agent", R"({"provider_data":{"worker_name":"v"}})"));
  // A passed onboarding that leads straight to a gold unit.
  store_.next_onboarding = {"passed", {"assigned", 4, 13, 8, "{}", {}, "gold"}, 7};
  auto packet = Packet("submit_onboarding", R"({"onboarding_data":{}})");
  packet.set_agent_id(Id("onboarding_42"));
  handler_.Handle(packet);

  auto launched = [&](const std::string& unit_type) {
    return SeriesValue(registry_, "throng_operator_units_launched_total",
                       {{"task_run_id", "7"}, {"unit_type", unit_type}});
  };
  EXPECT_EQ(launched("screening"), 1);  // the reconnection got the same unit
  EXPECT_EQ(launched("gold"), 1);
  EXPECT_EQ(launched("standard"), -1);  // maintenance counts those when it launches them
}

TEST_F(PacketHandlerTest, ScreeningAndGoldSubmissionsCountTheirAnswerKeyCheck) {
  auto submit = [&](const std::string& unit_type, bool passed) {
    store_.next_unit_type = unit_type;
    store_.next_answers_passed = passed;
    handler_.Handle(
        Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("11") + R"(","final_data":{"a":1}})"));
  };
  submit("screening", true);
  submit("screening", false);
  submit("gold", false);
  submit("gold", false);
  auto outcomes = [&](const std::string& kind, const std::string& outcome) {
    return SeriesValue(registry_, "throng_operator_validation_outcomes_total",
                       {{"task_run_id", "7"}, {"kind", kind}, {"outcome", outcome}});
  };
  EXPECT_EQ(outcomes("screening", "passed"), 1);
  EXPECT_EQ(outcomes("screening", "failed"), 1);
  EXPECT_EQ(outcomes("gold", "failed"), 2);
  EXPECT_EQ(outcomes("gold", "passed"), 0);  // present, so the pass rate is 0 %, not missing
  // Validation units are not the run's work: no submission quality for them.
  EXPECT_EQ(SeriesValue(registry_, "throng_operator_submissions_total", {{"task_run_id", "7"}}),
            -1);
}

TEST_F(PacketHandlerTest, CompletedStandardUnitsAreCountedByQuality) {
  handler_.Handle(
      Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("11") + R"(","final_data":{"a":1}})"));
  handler_.Handle(
      Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("12") + R"(","final_data":{"a":""}})"));
  handler_.Handle(Packet("submit_unit", R"({"USED_AGENT_ID":")" + Id("13") + R"("})"));
  auto submissions = [&](const std::string& quality) {
    return SeriesValue(registry_, "throng_operator_submissions_total",
                       {{"task_run_id", "7"}, {"quality", quality}});
  };
  EXPECT_EQ(submissions("normal"), 1);
  EXPECT_EQ(submissions("empty"), 2);  // no final_data at all is empty too
}

}  // namespace
}  // namespace throng::operator_

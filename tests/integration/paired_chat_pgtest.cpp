// The paired_chat blueprint against a real PostgreSQL: the waiting room, relayed live updates
// (once per update_id, resent until a router acknowledges them), history on reconnect, and what
// a disconnect does before and during a chat.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "embedded_migrations.hpp"
#include "live_coordinator.hpp"
#include "manual_clock.hpp"
#include "migrator.hpp"
#include "pg_task_store.hpp"
#include "pg_test_database.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"
#include "test_agent_ids.hpp"
#include "unique_temp_path.hpp"

namespace throng::operator_ {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Pushes are described by the row their agent id names.
const AgentIds& Ids() { return testing::TestAgentIds(); }

// (agent, packet type, payload) of each push, for compact expectations.
struct Push {
  std::string agent;
  std::string type;
  json payload;
  std::int64_t delivery_id;
};

std::vector<Push> Describe(const std::vector<v1::Envelope>& pushes) {
  std::vector<Push> out;
  for (const auto& push : pushes) {
    out.push_back(
        {Ids().credentials().Verify(push.agent_id()).value_or("unverified " + push.agent_id()),
         push.packet_type(), json::parse(push.payload()), push.delivery_id()});
  }
  return out;
}

v1::Envelope Packet(const std::string& type, std::int64_t agent, json payload = json::object()) {
  v1::Envelope packet;
  packet.set_kind(v1::ENVELOPE_KIND_PACKET);
  packet.set_packet_type(type);
  packet.set_agent_id(Ids().Task(agent));
  packet.set_payload(payload.dump());
  return packet;
}

v1::Envelope Message(std::int64_t agent, const std::string& update_id, const std::string& text) {
  return Packet("mephisto_bound_live_update", agent,
                {{"packet_type", "mephisto_bound_live_update"},
                 {"subject_id", Ids().Task(agent)},
                 {"data", {{"update_id", update_id}, {"text", text}}}});
}

class PairedChatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_paired_chat");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "bundle.js") << "/* chat */";
    std::ofstream(dir_ / "data.jsonl") << R"({"topic": "one"})"
                                       << "\n"
                                       << R"({"topic": "two"})"
                                       << "\n";
    std::ofstream(dir_ / "task.yaml")
        << "blueprint:\n  type: paired_chat\n  task_source: bundle.js\n"
           "  data_jsonl: data.jsonl\n  units_per_assignment: 2\ntask:\n  task_name: chat-test\n";
    pqxx::connection connection(db_.dsn());
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()));
    auto spec = LoadTaskRunSpec((dir_ / "task.yaml").string(), {});
    ASSERT_TRUE(spec) << spec.error().message;
    auto created = CreateTaskRun(connection, *spec, (dir_ / "data").string());
    ASSERT_TRUE(created) << created.error().message;
    run_ = created->task_run_id;
    ASSERT_EQ(store_.LaunchUnits(run_), 4);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Registers a worker as the packet handler would and runs the live side of it; returns the
  // agent id and leaves the reply (with its init_task_data) in `reply_`.
  std::int64_t Join(const std::string& worker, std::vector<Push>* pushes = nullptr) {
    RegistrationRequest request;
    request.task_run_id = run_;
    request.worker_name = worker;
    request.provider_type = "mock";
    request.registration_id = "registration-" + worker;
    auto result = store_.RegisterAgent(request);
    EXPECT_TRUE(result.outcome == "assigned" || result.outcome == "reconnection") << result.outcome;
    reply_ = Packet("agent_details", *result.agent_id,
                    {{"agent_id", Ids().Task(*result.agent_id)},
                     {"init_task_data", json::parse(result.init_data_json)}});
    auto live = Describe(live_.AfterRegistration(reply_));
    if (pushes) *pushes = live;
    return *result.agent_id;
  }

  std::string Status(std::int64_t agent) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    return tx.exec_params1("SELECT status FROM agents WHERE agent_id = $1", agent)[0]
        .as<std::string>();
  }

  std::string UnitStatus(std::int64_t agent) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    return tx
        .exec_params1(
            "SELECT u.status FROM units u JOIN agents a ON a.unit_id = u.unit_id "
            "WHERE a.agent_id = $1",
            agent)[0]
        .as<std::string>();
  }

  // Moves an agent's clocks back instead of sleeping through a timeout.
  void Age(std::int64_t agent, int seconds) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    tx.exec_params(
        "UPDATE agents SET creation_date = creation_date - make_interval(secs => $2),"
        " update_date = update_date - make_interval(secs => $2) WHERE agent_id = $1",
        agent, seconds);
    tx.commit();
  }

  int TimedOut(const std::string& reason) {
    for (const auto& [name, count] : store_.TimeOutAgents()) {
      if (name == reason) return count;
    }
    return -1;
  }

  testing::PgTestDatabase db_;
  fs::path dir_;
  std::int64_t run_ = 0;
  PgTaskStore store_{db_.dsn()};
  PgSession session_{db_.dsn()};
  testing::ManualClock clock_;
  LiveCoordinator live_{session_, Ids(), clock_};
  v1::Envelope reply_;
};

TEST_F(PairedChatTest, TheChatStartsWhenTheSecondPartnerArrives) {
  std::vector<Push> pushes;
  auto a = Join("alice", &pushes);
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0].agent, std::to_string(a));
  EXPECT_EQ(pushes[0].type, "update_status");
  EXPECT_EQ(pushes[0].payload["status"], "waiting");
  EXPECT_EQ(Status(a), "waiting");

  auto b = Join("bob", &pushes);
  std::map<std::string, std::string> last;
  for (const auto& push : pushes) last[push.agent] = push.payload["status"];
  EXPECT_EQ(last[std::to_string(a)], "in task");
  EXPECT_EQ(last[std::to_string(b)], "in task");
  EXPECT_EQ(Status(a), "in task");
  EXPECT_EQ(Status(b), "in task");
  EXPECT_EQ(json::parse(reply_.payload())["init_task_data"]["past_live_updates"], json::array());

  // The third worker starts the next assignment alone.
  auto c = Join("carol", &pushes);
  EXPECT_EQ(Status(c), "waiting");
}

TEST_F(PairedChatTest, UpdatesAreRelayedOnceAndResentUntilAcknowledged) {
  auto a = Join("alice");
  auto b = Join("bob");
  auto relayed = Describe(live_.Handle(Message(a, "u1", "hello")));
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_EQ(relayed[0].agent, std::to_string(b));
  EXPECT_EQ(relayed[0].type, "client_bound_live_update");
  EXPECT_EQ(relayed[0].payload["text"], "hello");
  EXPECT_EQ(relayed[0].payload["update_id"], "u1");
  EXPECT_GT(relayed[0].delivery_id, 0);
  EXPECT_TRUE(live_.Handle(Message(a, "u1", "hello")).empty()) << "a resend is not relayed";

  // Bob's socket comes back (another router, say): his status, then what he has not confirmed.
  auto alive = Describe(live_.Handle(Packet("alive", b)));
  ASSERT_EQ(alive.size(), 2u);
  EXPECT_EQ(alive[0].payload["status"], "in task");
  EXPECT_EQ(alive[1].delivery_id, relayed[0].delivery_id);

  auto ack = Packet(kLiveUpdateDelivered, b);
  ack.set_delivery_id(relayed[0].delivery_id);
  live_.Handle(ack);
  alive = Describe(live_.Handle(Packet("alive", b)));
  ASSERT_EQ(alive.size(), 1u) << "acknowledged updates are not resent";
  EXPECT_EQ(alive[0].type, "update_status");
}

TEST_F(PairedChatTest, AReconnectGetsTheWholeHistoryInItsInitData) {
  auto a = Join("alice");
  auto b = Join("bob");
  live_.Handle(Message(a, "u1", "hello"));
  live_.Handle(Message(b, "u2", "hi"));
  live_.Handle(Message(a, "u3", "how are you?"));

  EXPECT_EQ(Join("bob"), b) << "same registration id, same agent";
  auto past = json::parse(reply_.payload())["init_task_data"]["past_live_updates"];
  ASSERT_EQ(past.size(), 3u);
  EXPECT_EQ(past[0]["text"], "hello");
  EXPECT_EQ(past[1]["text"], "hi");
  EXPECT_EQ(past[2]["text"], "how are you?");
  EXPECT_EQ(json::parse(reply_.payload())["init_task_data"]["topic"], "one");
  // What the history showed is not pushed again when the new socket says alive.
  EXPECT_EQ(live_.Handle(Packet("alive", b)).size(), 1u);
}

TEST_F(PairedChatTest, LeavingDuringTheChatIsAPartnerDisconnectForTheOther) {
  auto a = Join("alice");
  auto b = Join("bob");
  auto pushes = Describe(live_.Handle(Packet("disconnect", a)));
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0].agent, std::to_string(b));
  EXPECT_EQ(pushes[0].payload["status"], "partner disconnect");
  EXPECT_EQ(Status(a), "disconnect");
  EXPECT_EQ(UnitStatus(a), "expired");
  EXPECT_TRUE(live_.Handle(Message(b, "u9", "anyone?")).empty()) << "nobody left to relay to";
  EXPECT_EQ(store_.SubmitUnit(b, R"({"summary": "alone"})").outcome, SubmitOutcome::kCompleted);
  EXPECT_EQ(UnitStatus(b), "completed");
  EXPECT_TRUE(live_.Handle(Packet("disconnect", a)).empty()) << "a second report changes nothing";
}

TEST_F(PairedChatTest, LeavingTheWaitingRoomOffersTheUnitAgain) {
  auto a = Join("alice");
  EXPECT_TRUE(live_.Handle(Packet("disconnect", a)).empty());
  EXPECT_EQ(Status(a), "disconnect");
  EXPECT_EQ(UnitStatus(a), "launched");
  auto b = Join("bob");
  EXPECT_EQ(Status(b), "waiting") << "bob waits for a new partner, not for alice";
}

TEST_F(PairedChatTest, ThePartnerLeftBehindHasSubmissionTimeoutToSubmit) {
  auto a = Join("alice");
  auto b = Join("bob");
  live_.Handle(Packet("disconnect", a));
  ASSERT_EQ(Status(b), "partner disconnect");
  Age(b, 599);  // submission_timeout defaults to 600 s
  EXPECT_EQ(TimedOut("submission_timeout"), 0);
  EXPECT_EQ(Status(b), "partner disconnect");
  Age(b, 2);
  EXPECT_EQ(TimedOut("submission_timeout"), 1);
  EXPECT_EQ(Status(b), "timeout");
  EXPECT_EQ(UnitStatus(b), "expired") << "half a pair cannot be done by someone else";
  EXPECT_EQ(store_.SubmitUnit(b, "{}").outcome, SubmitOutcome::kNotActive);
}

TEST_F(PairedChatTest, AssignmentDurationEndsAChatButReoffersTheWaitingRoom) {
  auto a = Join("alice");
  auto b = Join("bob");
  auto c = Join("carol");  // waits for a partner on the second assignment
  ASSERT_EQ(Status(c), "waiting");
  for (auto agent : {a, b, c}) Age(agent, 1801);  // assignment_duration_in_seconds: 1800
  EXPECT_EQ(TimedOut("assignment_duration"), 3);
  EXPECT_EQ(Status(a), "timeout");
  EXPECT_EQ(UnitStatus(a), "expired") << "a chat under way cannot be resumed by a stranger";
  EXPECT_EQ(UnitStatus(b), "expired");
  EXPECT_EQ(Status(c), "timeout");
  pqxx::connection connection(db_.dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM units WHERE task_run_id = $1 AND "
                            "status = 'launched'",
                            run_)[0]
                .as<int>(),
            2)
      << "carol's unit is offered again; nobody had started that chat";
}

TEST_F(PairedChatTest, JunkAndUnknownAgentsChangeNothing) {
  EXPECT_TRUE(live_.Handle(Message(999999, "u1", "ghost")).empty());
  EXPECT_TRUE(live_.Handle(Packet("alive", 999999)).empty());
  EXPECT_TRUE(live_.Handle(Packet("disconnect", 999999)).empty());
  auto junk = Packet("mephisto_bound_live_update", 1);
  junk.set_payload("not json");
  EXPECT_TRUE(live_.Handle(junk).empty());
  junk.set_agent_id(Ids().Onboarding(3));
  EXPECT_TRUE(live_.Handle(junk).empty());
  // A real agent's row under a forged id: nothing relayed, nothing stored.
  auto a = Join("alice");
  Join("bob");
  for (const auto& forged : {std::to_string(a), std::to_string(a) + "-" + std::string(32, '0'),
                             AgentCredentials(std::string(AgentCredentials::kMinKeyBytes, 'x'))
                                 .Issue(std::to_string(a))}) {
    auto message = Message(a, "forged-" + forged, "not from alice");
    message.set_agent_id(forged);
    EXPECT_TRUE(live_.Handle(message).empty()) << forged;
  }
  pqxx::connection connection(db_.dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM live_updates WHERE update_id LIKE 'forged-%'")[0].as<int>(),
      0);
}

}  // namespace
}  // namespace throng::operator_

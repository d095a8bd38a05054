// The status state machines against a real PostgreSQL (SPEC O5): every allowed transition of an
// agent, a unit and an onboarding agent applies, every other one is refused with SQLSTATE TH001
// and changes nothing, and a refusal inside an operator call is logged, counted and answered
// with an error instead of crashing anything.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include "counter_value.hpp"
#include "embedded_migrations.hpp"
#include "illegal_transition.hpp"
#include "manual_clock.hpp"
#include "migrator.hpp"
#include "operator_probe.hpp"
#include "packet_handler.hpp"
#include "pg_task_store.hpp"
#include "pg_test_database.hpp"
#include "test_agent_ids.hpp"

namespace throng::operator_ {
namespace {

struct Entity {
  std::string name;
  std::string table;
  std::string id_column;
  std::vector<std::string> statuses;  // what the table's CHECK constraint admits
};

const Entity kAgent{
    "agent",
    "agents",
    "agent_id",
    {"none", "accepted", "onboarding", "waiting", "in task", "completed", "disconnect", "timeout",
     "partner disconnect", "expired", "returned", "approved", "soft_rejected", "rejected"}};
const Entity kUnit{"unit",
                   "units",
                   "unit_id",
                   {"created", "launched", "assigned", "completed", "accepted", "rejected",
                    "soft_rejected", "expired"}};
const Entity kOnboardingAgent{"onboarding_agent",
                              "onboarding_agents",
                              "onboarding_agent_id",
                              {"none", "onboarding", "waiting", "approved", "rejected",
                               "disconnect", "timeout", "expired", "returned"}};

struct Transition {
  const Entity* entity;
  std::string from;
  std::string to;
};

std::string Describe(const Transition& t) { return t.entity->name + " " + t.from + " -> " + t.to; }

// Every transition the machines allow, exactly (docs/state-machines.md).
std::vector<Transition> LegalTransitions() {
  std::vector<Transition> legal{
      {&kAgent, "none", "accepted"},
      {&kAgent, "accepted", "waiting"},
      {&kAgent, "accepted", "in task"},
      {&kAgent, "waiting", "in task"},
      {&kAgent, "in task", "completed"},
      {&kAgent, "partner disconnect", "completed"},
      {&kAgent, "accepted", "completed"},
      {&kAgent, "waiting", "completed"},
      {&kAgent, "in task", "partner disconnect"},
      {&kAgent, "completed", "approved"},
      {&kAgent, "completed", "soft_rejected"},
      {&kAgent, "completed", "rejected"},
      {&kUnit, "created", "launched"},
      {&kUnit, "launched", "assigned"},
      {&kUnit, "assigned", "completed"},
      {&kUnit, "assigned", "launched"},
      {&kUnit, "created", "expired"},
      {&kUnit, "launched", "expired"},
      {&kUnit, "assigned", "expired"},
      {&kUnit, "completed", "accepted"},
      {&kUnit, "completed", "soft_rejected"},
      {&kUnit, "completed", "rejected"},
      {&kUnit, "launched", "created"},
      {&kUnit, "assigned", "created"},
      {&kOnboardingAgent, "none", "onboarding"},
      {&kOnboardingAgent, "onboarding", "waiting"},
      {&kOnboardingAgent, "waiting", "approved"},
      {&kOnboardingAgent, "waiting", "rejected"},
      {&kOnboardingAgent, "onboarding", "approved"},
      {&kOnboardingAgent, "onboarding", "rejected"},
      {&kOnboardingAgent, "none", "disconnect"},
      {&kOnboardingAgent, "onboarding", "disconnect"},
      {&kOnboardingAgent, "waiting", "disconnect"},
  };
  // An agent not done yet may leave at any time.
  for (const char* from : {"none", "accepted", "waiting", "in task", "partner disconnect"}) {
    for (const char* to : {"disconnect", "timeout", "returned", "expired"}) {
      legal.push_back({&kAgent, from, to});
    }
  }
  return legal;
}

class StatusTransitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ApplyMigrations(connection_, EmbeddedMigrations()));
    pqxx::work tx(connection_);
    tx.exec(
        "INSERT INTO requesters (requester_name, provider_type) VALUES ('requester', 'mock');"
        "INSERT INTO tasks (task_name, task_type) VALUES ('machines', 'static_task');"
        "INSERT INTO task_runs (task_id, requester_id, init_params, provider_type, task_type)"
        " SELECT t.task_id, r.requester_id, '{}', 'mock', 'static_task'"
        " FROM tasks t, requesters r;"
        "INSERT INTO workers (worker_name, provider_type) VALUES ('worker', 'mock');");
    tx.commit();
  }

  // A new row of `entity` in `status` (inserts are not checked), for one transition each.
  std::int64_t New(const Entity& entity, const std::string& status, int unit_index = 0) {
    if (&entity == &kAgent) {
      auto unit = New(kUnit, "assigned");
      return Insert(
          "INSERT INTO agents (worker_id, unit_id, task_id, task_run_id, assignment_id,"
          " task_type, provider_type, status)"
          " SELECT w.worker_id, u.unit_id, u.task_id, u.task_run_id, u.assignment_id,"
          " 'static_task', 'mock', $1 FROM units u, workers w WHERE u.unit_id = $2"
          " RETURNING agent_id",
          status, unit);
    }
    if (&entity == &kUnit) {
      return Insert(
          "WITH s AS (INSERT INTO assignments (task_id, task_run_id, requester_id, task_type,"
          " provider_type) SELECT task_id, task_run_id, requester_id, 'static_task', 'mock'"
          " FROM task_runs RETURNING *)"
          " INSERT INTO units (assignment_id, unit_index, provider_type, status, task_type,"
          " task_id, task_run_id, requester_id)"
          " SELECT assignment_id, $2, 'mock', $1, 'static_task', task_id, task_run_id,"
          " requester_id FROM s RETURNING unit_id",
          status, unit_index);
    }
    return Insert(
        "INSERT INTO onboarding_agents (worker_id, task_id, task_run_id, task_type, status)"
        " SELECT w.worker_id, r.task_id, r.task_run_id, 'static_task', $1"
        " FROM task_runs r, workers w RETURNING onboarding_agent_id",
        status);
  }

  // Runs `sql` and returns the id in its one row.
  template <typename... Args>
  std::int64_t Insert(const std::string& sql, Args&&... args) {
    pqxx::work tx(connection_);
    pqxx::row row = tx.exec_params1(sql, std::forward<Args>(args)...);
    tx.commit();
    return row[0].as<std::int64_t>();
  }

  // Moves the row to `to` in a transaction of its own: the error's SQLSTATE and refusal, if any.
  std::pair<std::string, std::optional<IllegalTransition>> Change(const Entity& entity,
                                                                  std::int64_t id,
                                                                  const std::string& to) {
    pqxx::work tx(connection_);
    try {
      tx.exec_params(
          "UPDATE " + entity.table + " SET status = $1 WHERE " + entity.id_column + " = $2", to,
          id);
      tx.commit();
      return {"", std::nullopt};
    } catch (const pqxx::sql_error& e) {
      return {e.sqlstate(), AsIllegalTransition(e)};
    }
  }

  std::string Status(const Entity& entity, std::int64_t id) {
    pqxx::work tx(connection_);
    return tx
        .exec_params1("SELECT status FROM " + entity.table + " WHERE " + entity.id_column + " = $1",
                      id)[0]
        .as<std::string>();
  }

  testing::PgTestDatabase db_;
  pqxx::connection connection_{db_.dsn()};
};

TEST_F(StatusTransitionsTest, EveryLegalTransitionApplies) {
  for (const auto& t : LegalTransitions()) {
    auto id = New(*t.entity, t.from);
    auto [sqlstate, refusal] = Change(*t.entity, id, t.to);
    EXPECT_EQ(sqlstate, "") << Describe(t);
    EXPECT_EQ(Status(*t.entity, id), t.to) << Describe(t);
  }
}

TEST_F(StatusTransitionsTest, TheTableHoldsExactlyTheLegalTransitions) {
  std::set<std::tuple<std::string, std::string, std::string>> expected;
  for (const auto& t : LegalTransitions()) expected.emplace(t.entity->name, t.from, t.to);
  std::set<std::tuple<std::string, std::string, std::string>> stored;
  pqxx::work tx(connection_);
  for (const auto& row : tx.exec("SELECT entity, from_status, to_status FROM status_transitions")) {
    stored.emplace(row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>());
  }
  EXPECT_EQ(stored, expected);
}

TEST_F(StatusTransitionsTest, IllegalTransitionsAreRefusedAndChangeNothing) {
  const std::vector<Transition> illegal{
      {&kAgent, "completed", "accepted"},
      {&kAgent, "disconnect", "in task"},
      {&kAgent, "timeout", "completed"},
      {&kAgent, "accepted", "approved"},
      {&kAgent, "in task", "waiting"},
      {&kAgent, "completed", "disconnect"},
      {&kAgent, "approved", "rejected"},
      {&kAgent, "partner disconnect", "in task"},
      {&kUnit, "completed", "launched"},
      {&kUnit, "expired", "assigned"},
      {&kUnit, "expired", "created"},
      {&kUnit, "created", "assigned"},
      {&kUnit, "launched", "completed"},
      {&kUnit, "accepted", "rejected"},
      {&kUnit, "completed", "expired"},
      {&kOnboardingAgent, "approved", "onboarding"},
      {&kOnboardingAgent, "rejected", "approved"},
      {&kOnboardingAgent, "disconnect", "onboarding"},
      {&kOnboardingAgent, "onboarding", "none"},
      {&kOnboardingAgent, "approved", "disconnect"},
  };
  for (const auto& t : illegal) {
    auto id = New(*t.entity, t.from);
    auto [sqlstate, refusal] = Change(*t.entity, id, t.to);
    EXPECT_EQ(sqlstate, kIllegalTransitionSqlstate) << Describe(t);
    ASSERT_TRUE(refusal) << Describe(t);
    EXPECT_EQ(refusal->entity, t.entity->name);
    EXPECT_EQ(refusal->message, "illegal status transition of " + t.entity->name + " " +
                                    std::to_string(id) + ": '" + t.from + "' -> '" + t.to + "'");
    EXPECT_EQ(Status(*t.entity, id), t.from) << Describe(t);
  }
}

TEST_F(StatusTransitionsTest, EveryPairOutsideTheTableIsRefused) {
  std::set<std::tuple<const Entity*, std::string, std::string>> legal;
  for (const auto& t : LegalTransitions()) legal.emplace(t.entity, t.from, t.to);
  for (const Entity* entity : {&kAgent, &kUnit, &kOnboardingAgent}) {
    for (const auto& from : entity->statuses) {
      for (const auto& to : entity->statuses) {
        if (from == to || legal.count({entity, from, to})) continue;
        auto id = New(*entity, from);
        EXPECT_EQ(Change(*entity, id, to).first, kIllegalTransitionSqlstate)
            << Describe({entity, from, to});
      }
    }
  }
}

TEST_F(StatusTransitionsTest, KeepingAStatusIsAlwaysAllowed) {
  for (const Entity* entity : {&kAgent, &kUnit, &kOnboardingAgent}) {
    for (const auto& status : entity->statuses) {
      auto id = New(*entity, status);
      EXPECT_EQ(Change(*entity, id, status).first, "") << entity->name << " " << status;
    }
  }
}

TEST_F(StatusTransitionsTest, AFreedScreeningUnitIsCheckedAsTheExpiryItBecomes) {
  // Migration 0006 turns a freed screening unit's 'launched' into 'expired'; the check sees that.
  auto freed = New(kUnit, "assigned", -1);
  EXPECT_EQ(Change(kUnit, freed, "launched").first, "");
  EXPECT_EQ(Status(kUnit, freed), "expired");
  auto done = New(kUnit, "completed", -1);
  auto [sqlstate, refusal] = Change(kUnit, done, "launched");
  EXPECT_EQ(sqlstate, kIllegalTransitionSqlstate);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->message.find("'completed' -> 'expired'"), std::string::npos)
      << refusal->message;
}

TEST_F(StatusTransitionsTest, ARefusalInsideAnOperatorCallIsLoggedCountedAndAnswered) {
  // A code path the machine does not allow: here the submission of an agent still 'accepted',
  // once the table no longer lists accepted -> completed.
  {
    pqxx::work tx(connection_);
    tx.exec(
        "DELETE FROM status_transitions"
        " WHERE entity = 'agent' AND from_status = 'accepted' AND to_status = 'completed'");
    tx.commit();
  }
  auto unit = New(kUnit, "launched");
  prometheus::Registry registry;
  OperatorProbe probe(registry);
  std::vector<std::pair<std::string, std::string>> refused;  // (method, entity)
  PgTaskStore store(db_.dsn(), {{},
                                [&](const char* method, const IllegalTransition& refusal) {
                                  refused.emplace_back(method, refusal.entity);
                                  probe.TransitionRefused(refusal.entity);
                                },
                                {}});
  auto run = Insert("SELECT task_run_id FROM task_runs");
  auto registration = store.RegisterAgent({run, "worker", "mock", "registration"});
  ASSERT_EQ(registration.outcome, "assigned");
  ASSERT_EQ(registration.unit_id, unit);

  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log)));
  testing::ManualClock clock;
  PacketHandler handler(store, testing::TestAgentIds(), probe, clock);
  v1::Envelope packet;
  packet.set_kind(v1::ENVELOPE_KIND_PACKET);
  packet.set_packet_type("submit_unit");
  packet.set_agent_id(testing::TestAgentIds().Task(*registration.agent_id));
  packet.set_payload(R"({"USED_AGENT_ID":")" + packet.agent_id() +
                     R"(","final_data":{"answer":1}})");
  auto reply = handler.Handle(packet);
  spdlog::set_default_logger(previous);

  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind(), v1::ENVELOPE_KIND_ERROR_REPLY);
  v1::ErrorReply error;
  error.ParseFromString(reply->payload());
  EXPECT_EQ(error.code(), v1::ERROR_CODE_INTERNAL);
  EXPECT_EQ(refused, (std::vector<std::pair<std::string, std::string>>{{"submit_unit", "agent"}}));
  EXPECT_NE(log.str().find("[warning] submit_unit: status change refused: illegal status "
                           "transition of agent " +
                           std::to_string(*registration.agent_id) + ": 'accepted' -> 'completed'"),
            std::string::npos)
      << log.str();
  EXPECT_EQ(testing::CounterValue(registry, "throng_operator_illegal_transitions_total", "entity",
                                  "agent"),
            1);
  EXPECT_EQ(testing::CounterValue(registry, "throng_operator_illegal_transitions_total", "entity",
                                  "unit"),
            0);
  // The whole submission was rolled back.
  EXPECT_EQ(Status(kAgent, *registration.agent_id), "accepted");
  EXPECT_EQ(Status(kUnit, unit), "assigned");
  pqxx::work tx(connection_);
  EXPECT_TRUE(tx.exec_params1("SELECT submission FROM agent_data WHERE agent_id = $1",
                              *registration.agent_id)[0]
                  .is_null());
}

}  // namespace
}  // namespace throng::operator_

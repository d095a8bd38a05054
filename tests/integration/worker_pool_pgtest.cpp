// The operator's store against a real PostgreSQL: registration, reservation under
// concurrency, reconnects, limits and submissions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "counter_value.hpp"
#include "embedded_migrations.hpp"
#include "manual_clock.hpp"
#include "migrator.hpp"
#include "operator_probe.hpp"
#include "packet_handler.hpp"
#include "pg_task_store.hpp"
#include "pg_test_database.hpp"
#include "run_census.hpp"
#include "run_settings.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"
#include "test_agent_ids.hpp"

namespace throng::operator_ {
namespace {

namespace fs = std::filesystem;

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("throng_pool_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "task.html") << "<p>${text}</p>";
    pqxx::connection connection(db_.dsn());
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A run of `rows` single-unit assignments, with extra overrides.
  std::int64_t CreateRun(int rows, std::vector<std::string> overrides = {}) {
    std::ofstream data(dir_ / "data.csv");
    data << "text\n";
    for (int i = 0; i < rows; ++i) data << "row " << i << "\n";
    data.close();
    std::ofstream(dir_ / "task.yaml")
        << "blueprint:\n  type: static_task\n  task_source: task.html\n"
           "  data_csv: data.csv\ntask:\n  task_name: pool-test\n";
    auto spec = LoadTaskRunSpec((dir_ / "task.yaml").string(), overrides);
    EXPECT_TRUE(spec) << spec.error().message;
    pqxx::connection connection(db_.dsn());
    auto created = CreateTaskRun(connection, *spec, (dir_ / "data").string());
    EXPECT_TRUE(created) << created.error().message;
    return created->task_run_id;
  }

  RegistrationRequest Worker(std::int64_t run, const std::string& name) {
    return RegistrationRequest{run, name, "mock", "assignment-" + name};
  }

  // Units of a run per status, e.g. {{"assigned", 1}, {"launched", 2}}.
  std::map<std::string, int> UnitCounts(std::int64_t run) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    std::map<std::string, int> counts;
    for (const auto& row : tx.exec_params(
             "SELECT status, count(*) FROM units WHERE task_run_id = $1 GROUP BY 1", run)) {
      counts[row[0].as<std::string>()] = row[1].as<int>();
    }
    return counts;
  }

  Result<std::vector<SettingChange>> Set(std::int64_t run, std::vector<std::string> assignments) {
    pqxx::connection connection(db_.dsn());
    return ChangeRunSettings(connection, run, assignments);
  }

  testing::PgTestDatabase db_;
  fs::path dir_;
};

TEST_F(WorkerPoolTest, TwoHundredConcurrentRegistrationsReserveTwoHundredDistinctUnits) {
  auto run = CreateRun(200);
  PgTaskStore admin(db_.dsn());
  ASSERT_EQ(admin.LaunchUnits(run), 200);

  constexpr int kWorkers = 200;
  std::mutex mutex;
  std::vector<std::int64_t> units;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers; ++i) {
    threads.emplace_back([&, i] {
      try {
        PgTaskStore store(db_.dsn());
        auto result = store.RegisterAgent(Worker(run, "worker-" + std::to_string(i)));
        std::lock_guard lock(mutex);
        if (result.outcome == "assigned" && result.unit_id) {
          units.push_back(*result.unit_id);
        } else {
          errors.push_back(result.outcome);
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(errors.empty()) << errors.size() << " failed, first: " << errors.front();
  EXPECT_EQ(units.size(), 200u);
  EXPECT_EQ(std::set<std::int64_t>(units.begin(), units.end()).size(), 200u)
      << "a unit was reserved twice";

  pqxx::connection connection(db_.dsn());
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM units WHERE status = 'assigned'")[0][0].as<int>(), 200);
  EXPECT_EQ(tx.exec("SELECT count(DISTINCT unit_id) FROM agents")[0][0].as<int>(), 200);
  // Nothing left: the next worker is told so, with no agent created.
  auto late = admin.RegisterAgent(Worker(run, "late"));
  EXPECT_EQ(late.outcome, "no_available_units");
  EXPECT_FALSE(late.agent_id);
}

TEST_F(WorkerPoolTest, ReconnectWithTheSameRegistrationIdGetsTheSameAgent) {
  auto run = CreateRun(3);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto first = store.RegisterAgent(Worker(run, "w"));
  ASSERT_EQ(first.outcome, "assigned");
  auto again = store.RegisterAgent(Worker(run, "w"));
  EXPECT_EQ(again.outcome, "reconnection");
  EXPECT_EQ(again.agent_id, first.agent_id);
  EXPECT_EQ(again.init_data_json, first.init_data_json);
  EXPECT_NE(first.init_data_json.find("row 0"), std::string::npos);
}

TEST_F(WorkerPoolTest, SubmitCompletesOnceAndThenTheRegistrationIsFinished) {
  auto run = CreateRun(2);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto agent = store.RegisterAgent(Worker(run, "w"));
  ASSERT_TRUE(agent.agent_id);
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, R"({"answer":"yes"})").outcome,
            SubmitOutcome::kCompleted);
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, R"({"answer":"no"})").outcome,
            SubmitOutcome::kAlreadySubmitted);
  EXPECT_EQ(store.SubmitUnit(987654, "{}").outcome, SubmitOutcome::kUnknownAgent);

  pqxx::connection connection(db_.dsn());
  pqxx::nontransaction tx(connection);
  auto row = tx.exec_params1(
      "SELECT u.status, a.status, d.submission->>'answer' FROM agents a "
      "JOIN units u ON u.unit_id = a.unit_id JOIN agent_data d ON d.agent_id = a.agent_id "
      "WHERE a.agent_id = $1",
      *agent.agent_id);
  EXPECT_EQ(row[0].as<std::string>(), "completed");
  EXPECT_EQ(row[1].as<std::string>(), "completed");
  EXPECT_EQ(row[2].as<std::string>(), "yes");  // the first submission is kept
  EXPECT_EQ(store.RegisterAgent(Worker(run, "w")).outcome, "agent_missing");
}

TEST_F(WorkerPoolTest, MaxConcurrentUnitsCapsLaunchedPlusAssigned) {
  auto run = CreateRun(10, {"task.max_num_concurrent_units=3"});
  PgTaskStore store(db_.dsn());
  EXPECT_EQ(store.LaunchUnits(run), 3);
  EXPECT_EQ(store.LaunchUnits(run), 0);
  auto agent = store.RegisterAgent(Worker(run, "a"));
  ASSERT_TRUE(agent.agent_id);
  EXPECT_EQ(store.LaunchUnits(run), 0);  // assigned still counts
  store.SubmitUnit(*agent.agent_id, "{}");
  EXPECT_EQ(store.LaunchUnits(run), 1);  // a completed unit frees a slot
}

TEST_F(WorkerPoolTest, ConcurrencyCapRaisedAndLoweredWhileLive) {
  auto run = CreateRun(10, {"task.max_num_concurrent_units=2"});
  PgTaskStore store(db_.dsn());
  EXPECT_EQ(store.LaunchUnits(run), 2);
  auto holder = store.RegisterAgent(Worker(run, "holder"));
  ASSERT_EQ(holder.outcome, "assigned");

  auto raised = Set(run, {"max_num_concurrent_units=5"});
  ASSERT_TRUE(raised) << raised.error().message;
  EXPECT_EQ(raised->at(0).old_value, "2");
  EXPECT_EQ(store.WithdrawExcessUnits(run), 0);
  EXPECT_EQ(store.LaunchUnits(run), 3);
  EXPECT_EQ(UnitCounts(run),
            (std::map<std::string, int>{{"assigned", 1}, {"launched", 4}, {"created", 5}}));

  // Lowered below what is out: launched units nobody holds go back; the holder keeps theirs.
  ASSERT_TRUE(Set(run, {"task.max_num_concurrent_units=1"}));
  EXPECT_EQ(store.WithdrawExcessUnits(run), 4);
  EXPECT_EQ(store.LaunchUnits(run), 0);
  EXPECT_EQ(UnitCounts(run), (std::map<std::string, int>{{"assigned", 1}, {"created", 9}}));
  EXPECT_EQ(store.RegisterAgent(Worker(run, "late")).outcome, "no_available_units");
  EXPECT_EQ(store.SubmitUnit(*holder.agent_id, "{}").outcome, SubmitOutcome::kCompleted);
  EXPECT_EQ(store.LaunchUnits(run), 1) << "the finished unit frees the one slot";

  ASSERT_TRUE(Set(run, {"max_num_concurrent_units=0"}));  // no cap
  EXPECT_EQ(store.LaunchUnits(run), 8);
  pqxx::connection connection(db_.dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec_params1("SELECT string_agg(new_value, ',' ORDER BY id) FROM "
                            "task_run_setting_changes WHERE task_run_id = $1",
                            run)[0]
                .as<std::string>(),
            "5,1,0");
}

TEST_F(WorkerPoolTest, RunSettingChangesAreValidatedAndAllOrNothing) {
  auto run = CreateRun(3, {"task.max_num_concurrent_units=2"});
  auto expect_error = [&](std::vector<std::string> assignments, const std::string& needle) {
    auto changed = Set(run, assignments);
    ASSERT_FALSE(changed) << "accepted " << assignments.front();
    EXPECT_NE(changed.error().message.find(needle), std::string::npos) << changed.error().message;
  };
  expect_error({"task_title=new"}, "changeable: max_num_concurrent_units, allowed_concurrent");
  expect_error({"max_num_concurrent_units=-1"}, "must be >= 0");
  expect_error({"max_num_concurrent_units=lots"}, "whole number");
  expect_error({"assignment_duration_in_seconds=0"}, "must be >= 1");
  expect_error({"max_num_concurrent_units"}, "not key=value");
  expect_error({"allowed_concurrent=1", "no_submission_patience=x"}, "whole number");
  expect_error({}, "nothing to change");
  EXPECT_EQ(UnitCounts(run).size(), 1u);
  pqxx::connection connection(db_.dsn());
  {
    pqxx::work tx(connection);
    EXPECT_EQ(
        tx.exec_params1("SELECT allowed_concurrent FROM task_runs WHERE task_run_id = $1", run)[0]
            .as<int>(),
        0)
        << "a bad assignment leaves the good one unapplied";
  }
  auto missing = ChangeRunSettings(connection, 987654, {"allowed_concurrent=1"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);

  auto changed = Set(run, {"submission_timeout=30", "no_submission_patience=60"});
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_EQ(changed->size(), 2u);
  EXPECT_EQ(changed->at(0).old_value, "600");
  EXPECT_EQ(changed->at(1).old_value, "43200");
  PgTaskStore store(db_.dsn());
  ASSERT_EQ(store.LiveRuns().size(), 1u);
  EXPECT_EQ(store.LiveRuns()[0].no_submission_patience_ms, 60000);
}

TEST_F(WorkerPoolTest, AnAgentPastItsAssignmentDurationFreesTheUnit) {
  auto run = CreateRun(1, {"task.assignment_duration_in_seconds=60"});
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto slow = store.RegisterAgent(Worker(run, "slow"));
  ASSERT_EQ(slow.outcome, "assigned");
  auto age = [&](int seconds) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    tx.exec_params(
        "UPDATE agents SET creation_date = creation_date - make_interval(secs => $2)"
        " WHERE agent_id = $1",
        *slow.agent_id, seconds);
    tx.commit();
  };
  age(59);
  EXPECT_EQ(store.TimeOutAgents().at(0), (std::pair<std::string, int>{"assignment_duration", 0}));
  age(2);
  EXPECT_EQ(store.TimeOutAgents().at(0), (std::pair<std::string, int>{"assignment_duration", 1}));
  EXPECT_EQ(store.SubmitUnit(*slow.agent_id, "{}").outcome, SubmitOutcome::kNotActive);
  auto next = store.RegisterAgent(Worker(run, "next"));
  EXPECT_EQ(next.outcome, "assigned");
  EXPECT_EQ(next.unit_id, slow.unit_id);
  auto submitted = store.SubmitUnit(*next.agent_id, "{}");
  EXPECT_EQ(submitted.task_run_id, run);
  ASSERT_TRUE(submitted.seconds_worked);
  EXPECT_GE(*submitted.seconds_worked, 0);
  EXPECT_LT(*submitted.seconds_worked, 60);
}

TEST_F(WorkerPoolTest, RegistrationReportsTheTimeOfEachStepInsideTheDatabase) {
  auto run = CreateRun(2);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  for (int round = 0; round < 2; ++round) {  // each registration reports only its own steps
    auto result = store.RegisterAgent(Worker(run, "timed-" + std::to_string(round)));
    ASSERT_EQ(result.outcome, "assigned");
    std::map<std::string, double> phases(result.phase_seconds.begin(), result.phase_seconds.end());
    ASSERT_EQ(phases.size(), 2u);
    for (const char* phase : {"filter_units", "valid_units"}) {
      ASSERT_TRUE(phases.count(phase)) << phase;
      EXPECT_GE(phases[phase], 0.0);
      EXPECT_LT(phases[phase], 30.0);
    }
  }
}

TEST_F(WorkerPoolTest, ShuttingDownASilentRunExpiresOnlyUnheldUnits) {
  auto run = CreateRun(4, {"task.max_num_concurrent_units=2"});
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto worker = store.RegisterAgent(Worker(run, "w"));
  ASSERT_EQ(worker.outcome, "assigned");
  EXPECT_EQ(store.ShutDownRun(run), 3);
  EXPECT_EQ(UnitCounts(run), (std::map<std::string, int>{{"assigned", 1}, {"expired", 3}}));
  EXPECT_TRUE(store.CompleteFinishedRuns().empty()) << "the worker at work may still submit";
  EXPECT_EQ(store.SubmitUnit(*worker.agent_id, "{}").outcome, SubmitOutcome::kCompleted);
  EXPECT_EQ(store.CompleteFinishedRuns(), std::vector<std::int64_t>{run});
}

TEST_F(WorkerPoolTest, MaximumUnitsPerWorkerCountsEveryRunOfTheTaskName) {
  PgTaskStore store(db_.dsn());
  auto work = [&](std::int64_t run, const std::string& worker, const std::string& page) {
    auto agent = store.RegisterAgent({run, worker, "mock", page + "-" + worker});
    if (agent.outcome != "assigned") return agent.outcome;
    EXPECT_EQ(store.SubmitUnit(*agent.agent_id, "{}").outcome, SubmitOutcome::kCompleted);
    return std::string("done");
  };
  auto first = CreateRun(3, {"task.maximum_units_per_worker=2"});
  store.LaunchUnits(first);
  EXPECT_EQ(work(first, "w", "p1"), "done");
  EXPECT_EQ(work(first, "w", "p2"), "done");
  EXPECT_EQ(work(first, "w", "p3"), "no_available_units");
  EXPECT_EQ(work(first, "v", "p1"), "done") << "the limit is per worker";
  // A second run of the same task_name counts what the worker did in the first.
  auto second = CreateRun(3, {"task.maximum_units_per_worker=3"});
  store.LaunchUnits(second);
  EXPECT_EQ(work(second, "w", "p4"), "done");
  EXPECT_EQ(work(second, "w", "p5"), "no_available_units");
}

TEST_F(WorkerPoolTest, AllowedConcurrentLimitsUnitsPerWorker) {
  auto run = CreateRun(5, {"task.allowed_concurrent=1"});
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  ASSERT_EQ(store.RegisterAgent(Worker(run, "w")).outcome, "assigned");
  RegistrationRequest second_tab{run, "w", "mock", "another-assignment-w"};
  EXPECT_EQ(store.RegisterAgent(second_tab).outcome, "no_available_units");
}

TEST_F(WorkerPoolTest, CompletedRunsLeaveTheLiveList) {
  auto run = CreateRun(1);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  ASSERT_EQ(store.LiveRuns().size(), 1u);
  auto agent = store.RegisterAgent(Worker(run, "w"));
  store.SubmitUnit(*agent.agent_id, "{}");
  EXPECT_EQ(store.CompleteFinishedRuns(), std::vector<std::int64_t>{run});
  EXPECT_TRUE(store.LiveRuns().empty());
  EXPECT_EQ(store.RegisterAgent(Worker(run, "x")).outcome, "unknown_run");
}

TEST_F(WorkerPoolTest, LiveUpdatesAreDeduplicatedAndDisconnectFreesTheUnit) {
  auto run = CreateRun(1);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto agent = store.RegisterAgent(Worker(run, "w"));
  ASSERT_TRUE(agent.agent_id);
  EXPECT_TRUE(store.StoreLiveUpdate(*agent.agent_id, "u1", R"({"text":"a"})"));
  EXPECT_FALSE(store.StoreLiveUpdate(*agent.agent_id, "u1", R"({"text":"a"})"));
  EXPECT_TRUE(store.StoreLiveUpdate(*agent.agent_id, "u2", R"({"text":"b"})"));
  EXPECT_THROW(store.StoreLiveUpdate(424242, "u1", "{}"), std::exception);

  EXPECT_TRUE(store.DisconnectAgent(*agent.agent_id));
  EXPECT_FALSE(store.DisconnectAgent(*agent.agent_id));  // already gone
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, "{}").outcome, SubmitOutcome::kNotActive);
  // The unit is offered again, to another worker.
  auto other = store.RegisterAgent(Worker(run, "other"));
  EXPECT_EQ(other.outcome, "assigned");
  EXPECT_EQ(other.unit_id, agent.unit_id);
}

TEST_F(WorkerPoolTest, CompletedStandardUnitsAreCountedAsNormalEmptyOrFast) {
  auto run = CreateRun(14);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  prometheus::Registry registry;
  OperatorProbe probe(registry);
  testing::ManualClock clock;
  SubmissionQualityClassifier quality;
  PacketHandler handler(store, testing::TestAgentIds(), probe, clock, nullptr, &quality);
  auto submit = [&](std::int64_t agent, const std::string& final_data) {
    v1::Envelope packet;
    packet.set_kind(v1::ENVELOPE_KIND_PACKET);
    packet.set_packet_type("submit_unit");
    packet.set_agent_id(testing::TestAgentIds().Task(agent));
    packet.set_payload(R"({"final_data":)" + final_data + "}");
    auto reply = handler.Handle(packet);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->packet_type(), "submit_ack");
  };
  std::vector<std::int64_t> agents;
  for (int i = 0; i < 13; ++i) {
    agents.push_back(*store.RegisterAgent(Worker(run, "w" + std::to_string(i))).agent_id);
  }
  {
    // Ten workers who took 100 s each: the run's median, without waiting for it.
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    tx.exec_params(
        "UPDATE agents SET creation_date = now() - interval '100 seconds'"
        " WHERE task_run_id = $1 AND agent_id <= $2",
        run, agents[9]);
    tx.commit();
  }
  for (int i = 0; i < 10; ++i) submit(agents[i], R"({"label":"positive"})");
  submit(agents[10], R"({"label":"positive"})");  // at once: under a quarter of 100 s
  submit(agents[11], R"({"label":"","notes":{"text":null}})");
  auto submissions = [&](const std::string& quality_label) {
    return testing::SeriesValue(registry, "throng_operator_submissions_total",
                                {{"task_run_id", std::to_string(run)}, {"quality", quality_label}});
  };
  EXPECT_EQ(submissions("normal"), 10);
  EXPECT_EQ(submissions("fast"), 1);
  EXPECT_EQ(submissions("empty"), 1);  // empty wins over fast
}

TEST_F(WorkerPoolTest, TheCensusExportsActiveWorkersAndQualityThresholdsOfLiveRunsOnly) {
  auto run = CreateRun(
      4, {"monitoring.min_gold_accuracy=0.9", "mephisto.monitoring.max_fast_submission_share=0.5"});
  auto other = CreateRun(1);
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  store.LaunchUnits(other);
  auto first = store.RegisterAgent(Worker(run, "w1"));
  store.RegisterAgent(Worker(run, "w2"));
  store.RegisterAgent(Worker(run, "w3"));
  store.SubmitUnit(*first.agent_id, R"({"a":1})");  // done: no longer active

  prometheus::Registry registry;
  OperatorProbe probe(registry);
  auto take_census = [&] {
    pqxx::connection connection(db_.dsn());
    probe.SetRunCensus(TakeRunCensus(connection));
  };
  auto value = [&](const char* name, std::int64_t of_run,
                   std::map<std::string, std::string> labels) {
    labels["task_run_id"] = std::to_string(of_run);
    return testing::SeriesValue(registry, name, labels);
  };
  auto threshold = [&](std::int64_t of_run, const std::string& monitor) {
    return value("throng_operator_run_quality_threshold", of_run, {{"monitor", monitor}});
  };
  take_census();
  EXPECT_EQ(value("throng_operator_run_active_workers", run, {}), 2);
  EXPECT_EQ(value("throng_operator_run_active_workers", other, {}), 0);
  EXPECT_DOUBLE_EQ(threshold(run, "min_gold_accuracy"), 0.9);
  EXPECT_DOUBLE_EQ(threshold(run, "max_fast_submission_share"), 0.5);
  EXPECT_DOUBLE_EQ(threshold(run, "min_screening_pass_rate"), 0.2);
  EXPECT_DOUBLE_EQ(threshold(run, "min_onboarding_pass_rate"), 0.2);
  EXPECT_DOUBLE_EQ(threshold(run, "max_empty_submission_share"), 0.1);
  EXPECT_DOUBLE_EQ(threshold(other, "min_gold_accuracy"), 0.8);
  EXPECT_EQ(threshold(run, "fast_submission_fraction"), -1) << "not a threshold of a ratio";

  // Changed while live: the next census exports the new value.
  auto changed = Set(run, {"monitoring.min_gold_accuracy=0.75"});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->at(0).key, "monitoring.min_gold_accuracy");
  EXPECT_EQ(changed->at(0).old_value, "0.9");
  EXPECT_EQ(changed->at(0).new_value, "0.75");
  take_census();
  EXPECT_DOUBLE_EQ(threshold(run, "min_gold_accuracy"), 0.75);

  // A run that ended loses its series.
  store.ShutDownRun(other);
  EXPECT_EQ(store.CompleteFinishedRuns(), std::vector<std::int64_t>{other});
  take_census();
  EXPECT_EQ(threshold(other, "min_gold_accuracy"), -1);
  EXPECT_EQ(value("throng_operator_run_active_workers", other, {}), -1);
  EXPECT_DOUBLE_EQ(threshold(run, "min_gold_accuracy"), 0.75);
}

TEST_F(WorkerPoolTest, MonitoringSettingsAreValidatedAtLaunchAndWhenChangedLive) {
  std::ofstream(dir_ / "data.csv") << "text\nrow\n";
  std::ofstream(dir_ / "task.yaml") << "blueprint:\n  type: static_task\n  task_source: task.html\n"
                                       "  data_csv: data.csv\ntask:\n  task_name: pool-test\n";
  auto launch_error = [&](const std::string& override_text) {
    auto spec = LoadTaskRunSpec((dir_ / "task.yaml").string(), {override_text});
    EXPECT_FALSE(spec) << override_text << " was accepted";
    return spec ? std::string() : spec.error().message;
  };
  EXPECT_NE(launch_error("monitoring.min_gold_accuracy=1.1")
                .find("monitoring.min_gold_accuracy must be a number from 0 to 1"),
            std::string::npos);
  EXPECT_NE(launch_error("monitoring.fast_submission_fraction=0").find("above 0"),
            std::string::npos);
  EXPECT_NE(
      launch_error("monitoring.gold=1").find("monitoring.gold is not a setting of monitoring"),
      std::string::npos);

  auto run = CreateRun(1, {"monitoring.fast_submission_fraction=0.5"});
  PgTaskStore store(db_.dsn());
  store.LaunchUnits(run);
  auto agent = store.RegisterAgent(Worker(run, "w"));
  EXPECT_DOUBLE_EQ(store.SubmitUnit(*agent.agent_id, "{}").fast_submission_fraction, 0.5);

  for (const auto& [assignment, needle] : std::vector<std::pair<std::string, std::string>>{
           {"monitoring.min_gold_accuracy=2", "monitoring.min_gold_accuracy must be"},
           {"monitoring.max_empty_submission_share=x", "not 'x'"},
           {"monitoring.fast_submission_fraction=0", "above 0"},
           {"min_gold_accuracy=0.5", "changeable: max_num_concurrent_units"},
       }) {
    auto changed = Set(run, {assignment});
    ASSERT_FALSE(changed) << assignment << " was accepted";
    EXPECT_NE(changed.error().message.find(needle), std::string::npos) << changed.error().message;
  }
  auto changed =
      Set(run, {"mephisto.monitoring.fast_submission_fraction=1", "allowed_concurrent=2"});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->at(0).new_value, "1");
  EXPECT_EQ(changed->at(1).new_value, "2");
}

TEST_F(WorkerPoolTest, ALostConnectionIsReportedAndReEstablishedOnTheNextCall) {
  int reconnects = 0;
  DbObserver observer;
  observer.reconnected = [&] { ++reconnects; };
  PgSession session(db_.dsn(), observer);
  auto backend_pid = [](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  };
  EXPECT_FALSE(session.Connected());
  auto pid = session.Timed("pid", backend_pid);
  EXPECT_TRUE(session.Connected());
  EXPECT_EQ(reconnects, 0) << "the first connection is no reconnection";
  // Closed, as libpq leaves a connection the server dropped. (Killing the backend would do it
  // too, but libpqxx 6.4 then leaks the error's result, which the sanitizer build reports.)
  session.Connection().disconnect();
  EXPECT_FALSE(session.Connected());
  EXPECT_NE(session.Timed("pid", backend_pid), pid);
  EXPECT_TRUE(session.Connected());
  EXPECT_EQ(reconnects, 1);
}

TEST_F(WorkerPoolTest, PreparedStatementsArePreparedAgainOnAReopenedConnection) {
  PgSession session(db_.dsn());
  auto twice = [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return tx.exec_prepared(session.Prepared("twice", "SELECT 2 * $1::int"), 21)[0][0].as<int>();
  };
  EXPECT_EQ(session.Timed("twice", twice), 42);
  EXPECT_EQ(session.Timed("twice", twice), 42) << "prepared once, used again";
  session.Connection().disconnect();
  EXPECT_EQ(session.Timed("twice", twice), 42) << "the new connection prepares it again";
}

}  // namespace
}  // namespace throng::operator_

// The operator's store against a real PostgreSQL: registration, reservation under
// concurrency, reconnects, limits and submissions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "embedded_migrations.hpp"
#include "migrator.hpp"
#include "pg_task_store.hpp"
#include "pg_test_database.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"

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
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, R"({"answer":"yes"})"), SubmitOutcome::kCompleted);
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, R"({"answer":"no"})"),
            SubmitOutcome::kAlreadySubmitted);
  EXPECT_EQ(store.SubmitUnit(987654, "{}"), SubmitOutcome::kUnknownAgent);

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
  EXPECT_EQ(store.SubmitUnit(*agent.agent_id, "{}"), SubmitOutcome::kNotActive);
  // The unit is offered again, to another worker.
  auto other = store.RegisterAgent(Worker(run, "other"));
  EXPECT_EQ(other.outcome, "assigned");
  EXPECT_EQ(other.unit_id, agent.unit_id);
}

}  // namespace
}  // namespace throng::operator_

// The worker-pool rules (SPEC O3) against a real PostgreSQL: qualification requirements with
// each of Mephisto's comparators, the block qualification, onboarding checked against an answer
// key, onboarding reconnects, screening and gold units, and registration and submissions
// staying a single SQL call each.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "counter_value.hpp"
#include "embedded_migrations.hpp"
#include "manual_clock.hpp"
#include "migrator.hpp"
#include "packet_handler.hpp"
#include "pg_task_store.hpp"
#include "pg_test_database.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"
#include "test_agent_ids.hpp"

namespace throng::operator_ {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Onboarding shown to the worker, and its answer key: q1 must be the string "4", q2 the
// number 2.
constexpr const char* kOnboardingConfig =
    "  onboarding_qualification: sentiment-onboarded\n"
    "  onboarding_data:\n    question: What is 2 + 2?\n"
    "  onboarding_answers:\n    q1: \"4\"\n    q2: 2\n";

class QualificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("throng_quals_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "task.html") << "<p>${text}</p>";
    pqxx::connection connection(db_.dsn());
    ASSERT_TRUE(ApplyMigrations(connection, EmbeddedMigrations()));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A run of `rows` single-unit assignments with extra lines in the blueprint and task groups;
  // its units are launched unless told otherwise.
  std::int64_t CreateRun(int rows, const std::string& blueprint_extra,
                         const std::string& task_extra = "", bool launch = true) {
    std::ofstream data(dir_ / "data.csv");
    data << "text\n";
    for (int i = 0; i < rows; ++i) data << "row " << i << "\n";
    data.close();
    std::ofstream(dir_ / "task.yaml") << "blueprint:\n  type: static_task\n"
                                         "  task_source: task.html\n  data_csv: data.csv\n"
                                      << blueprint_extra << "task:\n  task_name: quals-test\n"
                                      << task_extra;
    auto spec = LoadTaskRunSpec((dir_ / "task.yaml").string(), {});
    EXPECT_TRUE(spec) << spec.error().message;
    if (!spec) return 0;
    pqxx::connection connection(db_.dsn());
    auto created = CreateTaskRun(connection, *spec, (dir_ / "data").string());
    EXPECT_TRUE(created) << created.error().message;
    if (!created) return 0;
    if (launch) store_.LaunchUnits(created->task_run_id);
    return created->task_run_id;
  }

  RegistrationResult Register(std::int64_t run, const std::string& worker,
                              const std::string& registration_id = "") {
    return store_.RegisterAgent(RegistrationRequest{
        run, worker, "mock", registration_id.empty() ? "reg-" + worker : registration_id});
  }

  // Grants through the SQL helper documented for people running tasks; the worker is made
  // known first, as a registration would.
  void Grant(const std::string& worker, const std::string& qualification, int value) {
    pqxx::connection connection(db_.dsn());
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO workers (worker_name, provider_type) VALUES ($1, 'mock') "
        "ON CONFLICT DO NOTHING",
        worker);
    tx.exec_params("SELECT throng_grant_qualification($1, $2, $3)", worker, qualification, value);
    tx.commit();
  }

  std::optional<int> Granted(const std::string& worker, const std::string& qualification) {
    pqxx::connection connection(db_.dsn());
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec_params(
        "SELECT g.value FROM granted_qualifications g JOIN workers w USING (worker_id)"
        " JOIN qualifications q USING (qualification_id)"
        " WHERE w.worker_name = $1 AND q.qualification_name = $2",
        worker, qualification);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<int>();
  }

  std::string Query1(const std::string& sql, std::int64_t id) {
    pqxx::connection connection(db_.dsn());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1(sql, id)[0].as<std::string>();
  }

  int AgentCount(std::int64_t run) {
    return std::stoi(Query1("SELECT count(*) FROM agents WHERE task_run_id = $1", run));
  }

  testing::PgTestDatabase db_;
  PgTaskStore store_{db_.dsn()};
  fs::path dir_;
};

struct ComparatorCase {
  std::string requirement;  // the task.qualifications entry, YAML flow style
  std::optional<int> granted;
  bool admitted;
};

TEST_F(QualificationTest, EveryMephistoComparatorAdmitsAndRefuses) {
  // Each comparator in Mephisto's spelling and in the symbolic one, with values on both sides
  // of the boundary and a worker without the qualification.
  const std::vector<ComparatorCase> cases{
      {"{comparator: '>', value: 5}", 6, true},
      {"{comparator: GreaterThan, value: 5}", 5, false},
      {"{comparator: '>', value: 5}", std::nullopt, false},
      {"{comparator: '>=', value: 5}", 5, true},
      {"{comparator: GreaterThanOrEqualTo, value: 5}", 4, false},
      {"{comparator: '<', value: 5}", 4, true},
      {"{comparator: LessThan, value: 5}", 5, false},
      {"{comparator: LessThan, value: 5}", std::nullopt, false},
      {"{comparator: '<=', value: 5}", 5, true},
      {"{comparator: LessThanOrEqualTo, value: 5}", 6, false},
      {"{comparator: '==', value: 1}", 1, true},
      {"{comparator: EqualTo, value: 1}", 2, false},
      {"{comparator: EqualTo, value: 1}", std::nullopt, false},
      {"{comparator: '!=', value: 1}", 2, true},
      {"{comparator: NotEqualTo, value: 1}", 1, false},
      {"{comparator: '!=', value: 1}", std::nullopt, false},
      {"{comparator: exists}", 0, true},
      {"{comparator: Exists}", std::nullopt, false},
      {"{comparator: DoesNotExist}", std::nullopt, true},
      {"{comparator: does not exist, value: null}", 0, false},
      {"{comparator: in list, value: [1, 3]}", 3, true},
      {"{comparator: In, value: [1, 3]}", 2, false},
      {"{comparator: In, value: [1, 3]}", std::nullopt, false},
      {"{comparator: not in list, value: [1, 3]}", 2, true},
      {"{comparator: NotIn, value: [1, 3]}", 1, false},
      {"{comparator: NotIn, value: [1, 3]}", std::nullopt, false},
  };
  int index = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.requirement + " granted " +
                 (c.granted ? std::to_string(*c.granted) : std::string("nothing")));
    std::string qualification = "skill-" + std::to_string(index);
    std::string worker = "worker-" + std::to_string(index++);
    auto entry = c.requirement;
    entry.insert(1, "qualification_name: " + qualification + ", ");
    auto run = CreateRun(1, "", "  qualifications: [" + entry + "]\n");
    ASSERT_NE(run, 0);
    if (c.granted) Grant(worker, qualification, *c.granted);
    auto result = Register(run, worker);
    if (c.admitted) {
      EXPECT_EQ(result.outcome, "assigned");
      EXPECT_TRUE(result.agent_id);
    } else {
      EXPECT_EQ(result.outcome, "not_qualified");
      EXPECT_FALSE(result.agent_id);
      EXPECT_TRUE(result.worker_id);
      EXPECT_EQ(AgentCount(run), 0);
    }
  }
}

TEST_F(QualificationTest, EveryRequirementMustHoldAndTheyAreStoredWithTheRun) {
  auto run = CreateRun(3, "",
                       "  qualifications:\n"
                       "    - {qualification_name: english, comparator: '>=', value: 3}\n"
                       "    - qualification_name: country\n"
                       "      comparator: In\n"
                       "      value: [33, 49]\n"
                       "      applicable_providers: [mock]\n");
  // The two named, then the requester's block (every run has it).
  EXPECT_EQ(Query1("SELECT string_agg(q.qualification_name, ',' ORDER BY position)"
                   " FROM task_run_qualifications r JOIN qualifications q USING (qualification_id)"
                   " WHERE task_run_id = $1",
                   run),
            "english,country,blocked-by-requester:mock_requester");
  Grant("both", "english", 4);
  Grant("both", "country", 49);
  Grant("one", "english", 5);
  Grant("one", "country", 1);
  // A new store (a restarted operator) reads the same requirements from PostgreSQL.
  PgTaskStore restarted(db_.dsn());
  EXPECT_EQ(restarted.RegisterAgent({run, "both", "mock", "r-both"}).outcome, "assigned");
  EXPECT_EQ(restarted.RegisterAgent({run, "one", "mock", "r-one"}).outcome, "not_qualified");
  EXPECT_EQ(restarted.RegisterAgent({run, "none", "mock", "r-none"}).outcome, "not_qualified");
}

TEST_F(QualificationTest, TheBlockQualificationRefusesWhateverItsValue) {
  auto run = CreateRun(4, "  block_qualification: blocked-workers\n");
  Grant("blocked-1", "blocked-workers", 1);
  Grant("blocked-0", "blocked-workers", 0);
  EXPECT_EQ(Register(run, "blocked-1").outcome, "not_qualified");
  EXPECT_EQ(Register(run, "blocked-0").outcome, "not_qualified");
  EXPECT_EQ(Register(run, "free").outcome, "assigned");
  EXPECT_EQ(AgentCount(run), 1);

  // Unblocking (revoking the qualification) admits the worker again.
  pqxx::connection connection(db_.dsn());
  pqxx::nontransaction tx(connection);
  EXPECT_TRUE(tx.exec("SELECT throng_revoke_qualification('blocked-1', 'blocked-workers')")[0][0]
                  .as<bool>());
  EXPECT_FALSE(tx.exec("SELECT throng_revoke_qualification('blocked-1', 'blocked-workers')")[0][0]
                   .as<bool>());
  EXPECT_EQ(Register(run, "blocked-1").outcome, "assigned");

  // A worker blocked while working keeps the unit it has on a reload, as in Mephisto, but
  // gets nothing new.
  auto working = Register(run, "late-blocked");
  ASSERT_EQ(working.outcome, "assigned");
  Grant("late-blocked", "blocked-workers", 1);
  auto reload = Register(run, "late-blocked");
  EXPECT_EQ(reload.outcome, "reconnection");
  EXPECT_EQ(reload.agent_id, working.agent_id);
  EXPECT_EQ(Register(run, "late-blocked", "another-tab").outcome, "not_qualified");
}

// Workers are identified by name within their provider (migration 0011): a Prolific
// participant and a mock worker who share a name are two workers, blocked one at a time.
TEST_F(QualificationTest, OneNameInTwoProvidersIsTwoWorkers) {
  auto run = CreateRun(4, "  block_qualification: blocked-workers\n");
  auto mock = store_.RegisterAgent(RegistrationRequest{run, "abc", "mock", "m-abc"});
  auto prolific = store_.RegisterAgent(RegistrationRequest{run, "abc", "prolific", "p-abc"});
  ASSERT_EQ(mock.outcome, "assigned");
  ASSERT_EQ(prolific.outcome, "assigned");
  EXPECT_NE(mock.worker_id, prolific.worker_id);
  EXPECT_NE(mock.unit_id, prolific.unit_id);

  pqxx::connection connection(db_.dsn());
  pqxx::nontransaction tx(connection);
  // By name alone the worker is ambiguous; the provider as last argument picks one.
  try {
    tx.exec("SELECT throng_grant_qualification('abc', 'blocked-workers')");
    ADD_FAILURE() << "granting to an ambiguous name must fail";
  } catch (const pqxx::sql_error& e) {
    EXPECT_NE(std::string(e.what()).find("taken in several providers (mock, prolific)"),
              std::string::npos)
        << e.what();
  }
  tx.exec("SELECT throng_grant_qualification('abc', 'blocked-workers', 1, 'prolific')");
  EXPECT_EQ(store_.RegisterAgent(RegistrationRequest{run, "abc", "prolific", "p2-abc"}).outcome,
            "not_qualified");
  EXPECT_EQ(store_.RegisterAgent(RegistrationRequest{run, "abc", "mock", "m2-abc"}).outcome,
            "assigned");
  EXPECT_FALSE(tx.exec("SELECT throng_revoke_qualification('abc', 'blocked-workers', 'mock')")[0][0]
                   .as<bool>());
  EXPECT_TRUE(
      tx.exec("SELECT throng_revoke_qualification('abc', 'blocked-workers', 'prolific')")[0][0]
          .as<bool>());
  EXPECT_FALSE(
      tx.exec("SELECT throng_revoke_qualification('nobody', 'blocked-workers')")[0][0].as<bool>());
}

TEST_F(QualificationTest, PassingOnboardingGrantsTheQualificationAndARealUnitInTheSameCall) {
  auto run = CreateRun(3, kOnboardingConfig);
  auto onboarding = Register(run, "ann");
  ASSERT_EQ(onboarding.outcome, "onboarding");
  ASSERT_TRUE(onboarding.agent_id);
  EXPECT_FALSE(onboarding.unit_id);
  EXPECT_EQ(json::parse(onboarding.init_data_json), json({{"question", "What is 2 + 2?"}}));
  EXPECT_EQ(Query1("SELECT status FROM onboarding_agents WHERE onboarding_agent_id = $1",
                   *onboarding.agent_id),
            "onboarding");
  EXPECT_EQ(AgentCount(run), 0);

  // Keys not in the answer key are kept but not checked; 2.0 equals 2 as JSON numbers.
  auto submitted =
      store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2.0,"comment":"easy"})");
  EXPECT_EQ(submitted.verdict, "passed");
  EXPECT_EQ(submitted.registration.outcome, "assigned");
  ASSERT_TRUE(submitted.registration.agent_id);
  EXPECT_TRUE(submitted.registration.unit_id);
  EXPECT_EQ(submitted.registration.worker_id, onboarding.worker_id);
  EXPECT_EQ(json::parse(submitted.registration.init_data_json)["text"], "row 0");
  EXPECT_EQ(Granted("ann", "sentiment-onboarded"), 1);
  EXPECT_EQ(Granted("ann", "sentiment-onboarded-failed"), std::nullopt);
  EXPECT_EQ(Query1("SELECT status FROM onboarding_agents WHERE onboarding_agent_id = $1",
                   *onboarding.agent_id),
            "approved");
  EXPECT_EQ(Query1("SELECT submission->>'comment' FROM onboarding_agents"
                   " WHERE onboarding_agent_id = $1",
                   *onboarding.agent_id),
            "easy");

  // A reload finds the real agent; a retried submit does not assign a second unit.
  auto reload = Register(run, "ann");
  EXPECT_EQ(reload.outcome, "reconnection");
  EXPECT_EQ(reload.agent_id, submitted.registration.agent_id);
  auto retry = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2})");
  EXPECT_EQ(retry.verdict, "decided");
  EXPECT_EQ(retry.registration.outcome, "reconnection");
  EXPECT_EQ(retry.registration.agent_id, submitted.registration.agent_id);
  EXPECT_EQ(AgentCount(run), 1);

  // Qualified now: the next assignment comes without onboarding.
  EXPECT_EQ(Register(run, "ann", "reg-ann-2").outcome, "assigned");
}

TEST_F(QualificationTest, FailingOnboardingRefusesTheWorkerForGood) {
  auto run = CreateRun(3, kOnboardingConfig);
  auto onboarding = Register(run, "bob");
  ASSERT_EQ(onboarding.outcome, "onboarding");

  // "4" is a string in the answer key: the number 4 does not match it.
  auto submitted = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":4,"q2":2})");
  EXPECT_EQ(submitted.verdict, "failed");
  EXPECT_EQ(submitted.registration.outcome, "not_qualified");
  EXPECT_FALSE(submitted.registration.agent_id);
  EXPECT_EQ(Granted("bob", "sentiment-onboarded"), 0);
  EXPECT_EQ(Granted("bob", "sentiment-onboarded-failed"), 1);
  EXPECT_EQ(Query1("SELECT status FROM onboarding_agents WHERE onboarding_agent_id = $1",
                   *onboarding.agent_id),
            "rejected");
  EXPECT_EQ(AgentCount(run), 0);

  // The reload, a new tab, a retry with the right answers, and a later run of the same
  // onboarding: all refused.
  EXPECT_EQ(Register(run, "bob").outcome, "not_qualified");
  EXPECT_EQ(Register(run, "bob", "reg-bob-2").outcome, "not_qualified");
  auto retry = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2})");
  EXPECT_EQ(retry.verdict, "decided");
  EXPECT_EQ(retry.registration.outcome, "not_qualified");
  EXPECT_EQ(Granted("bob", "sentiment-onboarded"), 0);
  auto later_run = CreateRun(2, kOnboardingConfig);
  EXPECT_EQ(Register(later_run, "bob").outcome, "not_qualified");

  // A missing answer fails too; other workers are not affected by bob.
  auto carol = Register(run, "carol");
  ASSERT_EQ(carol.outcome, "onboarding");
  EXPECT_EQ(store_.SubmitOnboarding(*carol.agent_id, R"({"q1":"4"})").verdict, "failed");
  EXPECT_EQ(Register(run, "dave").outcome, "onboarding");
}

TEST_F(QualificationTest, OnboardingReconnectsFollowMephistosRules) {
  auto run = CreateRun(2, kOnboardingConfig);
  auto first = Register(run, "erin");
  ASSERT_EQ(first.outcome, "onboarding");

  // Reload while onboarding: the same onboarding agent and data, no new onboarding agent.
  auto reload = Register(run, "erin");
  EXPECT_EQ(reload.outcome, "onboarding_reconnection");
  EXPECT_EQ(reload.agent_id, first.agent_id);
  EXPECT_EQ(json::parse(reload.init_data_json), json::parse(first.init_data_json));
  EXPECT_EQ(Query1("SELECT count(*) FROM onboarding_agents WHERE task_run_id = $1", run), "1");

  // Disconnected: a reload is told the task is missing, and so is a late submit.
  EXPECT_TRUE(store_.DisconnectOnboardingAgent(*first.agent_id));
  EXPECT_FALSE(store_.DisconnectOnboardingAgent(*first.agent_id));
  EXPECT_EQ(Register(run, "erin").outcome, "agent_missing");
  auto late = store_.SubmitOnboarding(*first.agent_id, R"({"q1":"4","q2":2})");
  EXPECT_EQ(late.verdict, "none");
  EXPECT_EQ(late.registration.outcome, "agent_missing");
  EXPECT_EQ(Granted("erin", "sentiment-onboarded"), std::nullopt);
  // A fresh page (new registration id) starts onboarding again.
  EXPECT_EQ(Register(run, "erin", "reg-erin-2").outcome, "onboarding");

  // Rejected: a reload is not qualified.
  auto fay = Register(run, "fay");
  store_.SubmitOnboarding(*fay.agent_id, "{}");
  EXPECT_EQ(Register(run, "fay").outcome, "not_qualified");

  // Unknown onboarding agents are reported as such.
  auto unknown = store_.SubmitOnboarding(987654, "{}");
  EXPECT_EQ(unknown.verdict, "none");
  EXPECT_EQ(unknown.registration.outcome, "unknown_agent");
  EXPECT_FALSE(store_.DisconnectOnboardingAgent(987654));
}

TEST_F(QualificationTest, TheOnboardingQualificationDecidesWhoSkipsOrIsRefused) {
  auto run = CreateRun(3, kOnboardingConfig);
  Grant("zero", "sentiment-onboarded", 0);  // falsy, as Mephisto's is_disqualified
  Grant("one", "sentiment-onboarded", 1);
  Grant("seven", "sentiment-onboarded", 7);  // any non-zero value is truthy
  EXPECT_EQ(Register(run, "zero").outcome, "not_qualified");
  EXPECT_EQ(Register(run, "one").outcome, "assigned");
  EXPECT_EQ(Register(run, "seven").outcome, "assigned");
  EXPECT_EQ(Query1("SELECT count(*) FROM onboarding_agents WHERE task_run_id = $1", run), "0");
}

TEST_F(QualificationTest, NoOnboardingIsOfferedWhileTheRunHasNoWork) {
  auto run = CreateRun(1, kOnboardingConfig, "", /*launch=*/false);
  EXPECT_EQ(Register(run, "gus").outcome, "no_available_units");
  EXPECT_EQ(Query1("SELECT count(*) FROM onboarding_agents WHERE task_run_id = $1", run), "0");
}

TEST_F(QualificationTest, PassingWhenTheLastUnitIsGoneWaitsForTheNextFreeUnit) {
  auto run = CreateRun(1, kOnboardingConfig);
  auto onboarding = Register(run, "hal");
  ASSERT_EQ(onboarding.outcome, "onboarding");
  Grant("ida", "sentiment-onboarded", 1);
  auto ida = Register(run, "ida");
  ASSERT_EQ(ida.outcome, "assigned");  // takes the only unit meanwhile

  auto passed = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2})");
  EXPECT_EQ(passed.verdict, "passed");
  EXPECT_EQ(passed.registration.outcome, "no_available_units");
  EXPECT_EQ(Granted("hal", "sentiment-onboarded"), 1);
  EXPECT_EQ(Register(run, "hal").outcome, "no_available_units");

  // The unit comes free: the same page now gets it.
  ASSERT_TRUE(store_.DisconnectAgent(*ida.agent_id));
  auto later = Register(run, "hal");
  EXPECT_EQ(later.outcome, "assigned");
  EXPECT_EQ(later.unit_id, ida.unit_id);
}

constexpr const char* kScreeningConfig =
    "  use_screening_task: true\n"
    "  passed_qualification_name: screened\n"
    "  block_qualification: screening-failed\n"
    "  max_screening_units: 3\n"
    "  screening_units:\n"
    "    - {data: {text: screen A}, answers: {label: positive}}\n"
    "    - {data: {text: screen B}, answers: {label: negative}}\n";

TEST_F(QualificationTest, ScreeningUnitsComeFirstAndDecideWhoContinues) {
  auto run = CreateRun(3, kScreeningConfig, "  allowed_concurrent: 1\n");
  auto kim = Register(run, "kim");
  ASSERT_EQ(kim.outcome, "assigned");
  EXPECT_EQ(Query1("SELECT unit_index FROM units WHERE unit_id = $1", *kim.unit_id), "-1");
  // The page gets the screening data (with the template, as every static_task unit) and never
  // the answers.
  EXPECT_EQ(json::parse(kim.init_data_json), json({{"text", "screen A"}, {"html", "task.html"}}));
  EXPECT_EQ(Register(run, "kim", "kim-second-tab").outcome, "no_available_units");

  EXPECT_EQ(store_.SubmitUnit(*kim.agent_id, R"({"label":"positive","note":"x"})").outcome,
            SubmitOutcome::kCompleted);
  EXPECT_EQ(Granted("kim", "screened"), 1);
  EXPECT_EQ(Granted("kim", "screening-failed"), std::nullopt);
  auto real = Register(run, "kim", "kim-next");
  ASSERT_EQ(real.outcome, "assigned");
  EXPECT_EQ(Query1("SELECT unit_index FROM units WHERE unit_id = $1", *real.unit_id), "0");
  EXPECT_EQ(json::parse(real.init_data_json)["text"], "row 0");

  // The next screening unit, answered wrongly: the block qualification keeps lee out.
  auto lee = Register(run, "lee");
  ASSERT_EQ(lee.outcome, "assigned");
  EXPECT_EQ(json::parse(lee.init_data_json)["text"], "screen B");
  EXPECT_EQ(store_.SubmitUnit(*lee.agent_id, R"({"label":"positive"})").outcome,
            SubmitOutcome::kCompleted);
  EXPECT_EQ(Granted("lee", "screening-failed"), 1);
  EXPECT_EQ(Granted("lee", "screened"), std::nullopt);
  EXPECT_EQ(Register(run, "lee", "lee-next").outcome, "not_qualified");

  // A disconnected screening unit expires rather than going to someone else, and still counts
  // against max_screening_units (3): nobody new is screened after that.
  auto mia = Register(run, "mia");
  ASSERT_EQ(mia.outcome, "assigned");
  EXPECT_EQ(json::parse(mia.init_data_json)["text"], "screen A");
  ASSERT_TRUE(store_.DisconnectAgent(*mia.agent_id));
  EXPECT_EQ(Query1("SELECT status FROM units WHERE unit_id = $1", *mia.unit_id), "expired");
  EXPECT_EQ(Register(run, "ned").outcome, "no_available_units");
  EXPECT_EQ(Register(run, "mia", "mia-again").outcome, "no_available_units");
  EXPECT_EQ(
      Query1("SELECT count(*) FROM units WHERE task_run_id = $1 AND status = 'launched'", run),
      "2");  // the real units are untouched
}

TEST_F(QualificationTest, PassingOnboardingLeadsToScreeningFirstWhenBothAreOn) {
  auto run =
      CreateRun(2, std::string(kOnboardingConfig) + kScreeningConfig, "  allowed_concurrent: 1\n");
  auto onboarding = Register(run, "rae");
  ASSERT_EQ(onboarding.outcome, "onboarding");
  auto passed = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2})");
  EXPECT_EQ(passed.verdict, "passed");
  ASSERT_EQ(passed.registration.outcome, "assigned");
  EXPECT_EQ(Query1("SELECT unit_index FROM units WHERE unit_id = $1", *passed.registration.unit_id),
            "-1");
  EXPECT_EQ(json::parse(passed.registration.init_data_json)["text"], "screen A");
}

constexpr const char* kGoldConfig =
    "  use_golds: true\n"
    "  gold_qualification_base: sentiment-gold\n"
    "  max_gold_units: 4\n"
    "  min_golds: 2\n"
    "  max_incorrect_golds: 0\n"
    "  gold_units:\n"
    "    - {data: {text: gold A}, answers: {label: positive}}\n"
    "    - {data: {text: gold B}, answers: {label: negative}}\n";

TEST_F(QualificationTest, GoldUnitsComeUntilMinGoldsThenScaleWithCompletedUnits) {
  auto run = CreateRun(6, kGoldConfig, "  allowed_concurrent: 1\n");
  int next_page = 0;
  auto next = [&](const std::string& worker) {
    return Register(run, worker, worker + "-page-" + std::to_string(next_page++));
  };
  auto unit_index = [&](const RegistrationResult& r) {
    return Query1("SELECT unit_index FROM units WHERE unit_id = $1", *r.unit_id);
  };

  // Two golds first (min_golds), a different one each time.
  auto first = next("oz");
  ASSERT_EQ(first.outcome, "assigned");
  EXPECT_EQ(unit_index(first), "-2");
  EXPECT_EQ(json::parse(first.init_data_json)["text"], "gold A");
  store_.SubmitUnit(*first.agent_id, R"({"label":"positive"})");
  EXPECT_EQ(Granted("oz", "sentiment-gold-correct-golds"), 1);
  auto second = next("oz");
  EXPECT_EQ(unit_index(second), "-2");
  EXPECT_EQ(json::parse(second.init_data_json)["text"], "gold B");
  store_.SubmitUnit(*second.agent_id, R"({"label":"negative"})");
  EXPECT_EQ(Granted("oz", "sentiment-gold-correct-golds"), 2);
  EXPECT_EQ(Granted("oz", "sentiment-gold-completed-count"), std::nullopt);

  // Then real units, each counted (at 2 completed no gold is due yet: ceil(log10(3) ^ 2.2) - 1
  // is 0).
  for (int i = 1; i <= 3; ++i) {
    auto real = next("oz");
    ASSERT_EQ(real.outcome, "assigned");
    EXPECT_EQ(unit_index(real), "0");
    store_.SubmitUnit(*real.agent_id, "{}");
    EXPECT_EQ(Granted("oz", "sentiment-gold-completed-count"), i);
  }
  // At 10 completed units one more gold is due (ceil(log10(11) ^ 2.2) - 1 = 1 beyond
  // min_golds); once it is answered, real units again.
  Grant("oz", "sentiment-gold-completed-count", 10);
  auto due = next("oz");
  EXPECT_EQ(unit_index(due), "-2");
  EXPECT_EQ(json::parse(due.init_data_json)["text"], "gold A");
  store_.SubmitUnit(*due.agent_id, R"({"label":"positive"})");
  EXPECT_EQ(unit_index(next("oz")), "0");

  // A wrong gold beyond max_incorrect_golds (0) disqualifies.
  auto pat = next("pat");
  EXPECT_EQ(unit_index(pat), "-2");
  store_.SubmitUnit(*pat.agent_id, R"({"label":"neutral"})");
  EXPECT_EQ(Granted("pat", "sentiment-gold-wrong-golds"), 1);
  EXPECT_EQ(Granted("pat", "sentiment-gold-disqualified"), 1);
  EXPECT_EQ(next("pat").outcome, "not_qualified");

  // All 4 gold units are used: a new worker, who needs golds first, has to wait.
  EXPECT_EQ(next("quinn").outcome, "no_available_units");
}

// The operator's packet handler over the real store, as a database worker runs it, with the
// metrics it exports.
class QualificationMetricsTest : public QualificationTest {
 protected:
  // The agent id a worker's page gets ("onboarding_<n>" while onboarding).
  std::string Request(std::int64_t run, const std::string& worker, const std::string& page = "") {
    auto reply =
        Handle("register_agent", run, "",
               json{{"provider_data",
                     {{"worker_name", worker},
                      {"agent_registration_id", page.empty() ? "page-" + worker : page}}}});
    return reply["agent_id"].is_string() ? reply["agent_id"].get<std::string>() : "";
  }
  void SubmitOnboarding(std::int64_t run, const std::string& agent, const json& answers) {
    Handle("submit_onboarding", run, agent, json{{"onboarding_data", answers}});
  }
  // The agent a passed onboarding led to, if any.
  std::string SubmitOnboardingForUnit(std::int64_t run, const std::string& agent,
                                      const json& answers) {
    auto reply = Handle("submit_onboarding", run, agent, json{{"onboarding_data", answers}});
    return reply["agent_id"].is_string() ? reply["agent_id"].get<std::string>() : "";
  }
  void Submit(std::int64_t run, const std::string& agent, const json& final_data) {
    Handle("submit_unit", run, agent, json{{"final_data", final_data}});
  }

  double Launched(std::int64_t run, const std::string& unit_type) {
    return testing::SeriesValue(registry_, "throng_operator_units_launched_total",
                                {{"task_run_id", std::to_string(run)}, {"unit_type", unit_type}});
  }
  double Outcomes(std::int64_t run, const std::string& kind, const std::string& outcome) {
    return testing::SeriesValue(
        registry_, "throng_operator_validation_outcomes_total",
        {{"task_run_id", std::to_string(run)}, {"kind", kind}, {"outcome", outcome}});
  }

  prometheus::Registry registry_;
  OperatorProbe probe_{registry_};
  testing::ManualClock clock_;
  SubmissionQualityClassifier quality_;
  PacketHandler handler_{store_, testing::TestAgentIds(), probe_, clock_, nullptr, &quality_};

 private:
  json Handle(const std::string& type, std::int64_t run, const std::string& agent,
              const json& payload) {
    v1::Envelope packet;
    packet.set_kind(v1::ENVELOPE_KIND_PACKET);
    packet.set_packet_type(type);
    packet.set_request_id("req");
    packet.set_task_run_id(std::to_string(run));
    packet.set_agent_id(agent);
    packet.set_payload(payload.dump());
    auto reply = handler_.Handle(packet);
    EXPECT_TRUE(reply && reply->kind() == v1::ENVELOPE_KIND_PACKET) << type << " failed";
    return reply ? json::parse(reply->payload(), nullptr, false) : json();
  }
};

TEST_F(QualificationMetricsTest, OnboardingOutcomesAreCountedPerRun) {
  auto run = CreateRun(3, kOnboardingConfig);
  auto ann = Request(run, "ann");
  auto bob = Request(run, "bob");
  ASSERT_EQ(ann.rfind("onboarding_", 0), 0u);
  EXPECT_EQ(Request(run, "ann"), ann);  // a reload is not a new onboarding agent
  EXPECT_EQ(testing::SeriesValue(registry_, "throng_operator_onboarding_agents_launched_total",
                                 {{"task_run_id", std::to_string(run)}}),
            2);

  EXPECT_FALSE(SubmitOnboardingForUnit(run, ann, {{"q1", "4"}, {"q2", 2}}).empty());
  SubmitOnboarding(run, bob, {{"q1", 4}, {"q2", 2}});
  SubmitOnboarding(run, bob, {{"q1", "4"}, {"q2", 2}});  // a retry is decided already
  EXPECT_EQ(Outcomes(run, "onboarding", "passed"), 1);
  EXPECT_EQ(Outcomes(run, "onboarding", "failed"), 1);
  // Onboarding led to a unit of the data: launched by maintenance, not by the registration.
  EXPECT_EQ(Launched(run, "standard"), -1);
}

TEST_F(QualificationMetricsTest, ScreeningUnitsAreCountedWhenMadeAndTheirChecksWhenSubmitted) {
  auto run = CreateRun(3, kScreeningConfig, "  allowed_concurrent: 1\n");
  auto kim = Request(run, "kim");
  auto lee = Request(run, "lee");
  EXPECT_EQ(Request(run, "kim"), kim);  // a reload: the same screening unit
  EXPECT_EQ(Launched(run, "screening"), 2);
  Submit(run, kim, {{"label", "positive"}});
  Submit(run, lee, {{"label", "positive"}});
  EXPECT_EQ(Outcomes(run, "screening", "passed"), 1);
  EXPECT_EQ(Outcomes(run, "screening", "failed"), 1);
  // Screening submissions are not the run's work: no submission quality for them.
  EXPECT_EQ(testing::SeriesValue(registry_, "throng_operator_submissions_total",
                                 {{"task_run_id", std::to_string(run)}}),
            -1);

  // kim's next unit is a unit of the data, whose submission is classified.
  auto real = Request(run, "kim", "kim-next-page");
  Submit(run, real, {{"label", "positive"}});
  EXPECT_EQ(Launched(run, "screening"), 2);
  EXPECT_EQ(testing::SeriesValue(registry_, "throng_operator_submissions_total",
                                 {{"task_run_id", std::to_string(run)}, {"quality", "normal"}}),
            1);
}

TEST_F(QualificationMetricsTest, GoldUnitsAreCountedWhenMadeAndTheirChecksWhenSubmitted) {
  auto run = CreateRun(4, kGoldConfig, "  allowed_concurrent: 1\n");
  auto oz = Request(run, "oz");
  Submit(run, oz, {{"label", "positive"}});
  auto pat = Request(run, "pat");
  Submit(run, pat, {{"label", "neutral"}});
  EXPECT_EQ(Launched(run, "gold"), 2);
  EXPECT_EQ(Outcomes(run, "gold", "passed"), 1);
  EXPECT_EQ(Outcomes(run, "gold", "failed"), 1);
  EXPECT_EQ(Outcomes(run, "screening", "passed"), -1);
}

TEST_F(QualificationTest, RegistrationsAndSubmissionsSayWhatKindOfUnitTheyWereAbout) {
  auto run = CreateRun(2, kScreeningConfig, "  allowed_concurrent: 1\n");
  auto screening = Register(run, "sam");
  EXPECT_EQ(screening.unit_type, "screening");
  EXPECT_EQ(Register(run, "sam").unit_type, "screening");  // the reconnection
  auto submitted = store_.SubmitUnit(*screening.agent_id, R"({"label":"negative"})");
  EXPECT_EQ(submitted.unit_type, "screening");
  EXPECT_EQ(submitted.answers_passed, false);
  EXPECT_EQ(submitted.task_run_id, run);

  Grant("tom", "screened", 1);
  auto standard = Register(run, "tom");
  EXPECT_EQ(standard.unit_type, "standard");
  submitted = store_.SubmitUnit(*standard.agent_id, "{}");
  EXPECT_EQ(submitted.unit_type, "standard");
  EXPECT_FALSE(submitted.answers_passed);
  EXPECT_DOUBLE_EQ(submitted.fast_submission_fraction, 0.25);
  EXPECT_EQ(Register(run, "sam", "sam-again").unit_type, "");  // refused: no unit
}

// The quoted strings of a libpq trace line's contents, in order.
std::vector<std::string> QuotedStrings(const std::string& contents) {
  std::vector<std::string> strings;
  for (auto open = contents.find('"'); open != std::string::npos; open = contents.find('"', open)) {
    auto close = contents.find('"', open + 1);
    if (close == std::string::npos) break;
    strings.push_back(contents.substr(open + 1, close - open - 1));
    open = close + 1;
  }
  return strings;
}

// The text of every statement a store executes while `action` runs, from libpq's protocol
// trace, one per execution: a simple query, or a bound (prepared or unnamed) statement.
// Preparing a statement (Parse) executes nothing.
template <typename Action>
std::vector<std::string> StatementsSent(PgTaskStore& store, const fs::path& trace_path,
                                        Action&& action) {
  std::FILE* trace = std::fopen(trace_path.c_str(), "w");
  store.Connection().trace(trace);
  action();
  store.Connection().trace(nullptr);
  std::fclose(trace);
  std::vector<std::string> statements;
  std::map<std::string, std::string> parsed;  // statement name -> text, in this trace
  std::ifstream lines(trace_path);
  for (std::string line; std::getline(lines, line);) {
    // timestamp, direction (F: to the server), length, message type, contents
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() < 5 || fields[1] != "F") continue;
    auto strings = QuotedStrings(fields[4]);
    if (fields[3] == "Query") {
      statements.push_back(fields[4]);
    } else if (fields[3] == "Parse" && strings.size() >= 2) {
      parsed[strings[0]] = strings[1];
    } else if (fields[3] == "Bind" && strings.size() >= 2) {
      // Named and prepared before this trace began: its name is all the trace shows.
      statements.push_back(parsed.contains(strings[1]) ? parsed[strings[1]] : strings[1]);
    }
  }
  return statements;
}

TEST_F(QualificationTest, RegistrationAndSubmissionsAreEachOneSqlCall) {
  auto run = CreateRun(2, std::string(kOnboardingConfig) + "  block_qualification: blocked\n",
                       "  qualifications: [{qualification_name: english, comparator: '>=', "
                       "value: 1}]\n");
  Grant("jo", "english", 2);
  store_.Connection();  // connected before tracing starts
  auto trace_path = dir_ / "protocol.trace";
  RegistrationResult onboarding;
  auto statements = StatementsSent(store_, trace_path, [&] { onboarding = Register(run, "jo"); });
  ASSERT_EQ(onboarding.outcome, "onboarding");
  // Committed on its own: no BEGIN and COMMIT round trips.
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_NE(statements[0].find("throng_register_worker("), std::string::npos);

  OnboardingSubmission submitted;
  statements = StatementsSent(store_, trace_path, [&] {
    submitted = store_.SubmitOnboarding(*onboarding.agent_id, R"({"q1":"4","q2":2})");
  });
  ASSERT_EQ(submitted.registration.outcome, "assigned");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_NE(statements[1].find("throng_submit_onboarding("), std::string::npos);

  // A submission, with its answer-key check for screening and gold units and its completion
  // time, is one call too.
  statements = StatementsSent(store_, trace_path, [&] {
    EXPECT_EQ(store_.SubmitUnit(*submitted.registration.agent_id, "{}").outcome,
              SubmitOutcome::kCompleted);
  });
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_NE(statements[0].find("throng_submit_and_time_unit("), std::string::npos);

  // Prepared once per connection: a second registration executes the same statement again
  // without sending its text.
  statements = StatementsSent(store_, trace_path, [&] { Register(run, "kim"); });
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0], "register_agent");
}

}  // namespace
}  // namespace throng::operator_

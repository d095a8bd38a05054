#include "worker_pool_rules.hpp"

#include <gtest/gtest.h>

#include "yaml_to_json.hpp"

namespace throng::operator_ {
namespace {

using nlohmann::json;

// Parses `blueprint:` and `task:` groups given as YAML text.
Result<WorkerPoolRules> Parse(const std::string& blueprint, const std::string& task = "{}") {
  return ParseWorkerPoolRules(YAML::Load(blueprint), YAML::Load(task));
}

TEST(WorkerPoolRulesTest, NoKeysMeanNoRules) {
  auto rules = Parse("{type: static_task}");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_TRUE(rules->qualifications.empty());
  EXPECT_TRUE(rules->block_qualification.empty());
  EXPECT_FALSE(rules->onboarding);
  EXPECT_TRUE(rules->EnforcedRequirements().empty());
}

TEST(WorkerPoolRulesTest, MephistosComparatorNamesAndTheSymbolicSpellingsAreTheSame) {
  const std::vector<std::pair<std::string, std::string>> spellings{
      {">", "GreaterThan"}, {">=", "GreaterThanOrEqualTo"},
      {"<", "LessThan"},    {"<=", "LessThanOrEqualTo"},
      {"==", "EqualTo"},    {"!=", "NotEqualTo"},
      {"exists", "Exists"}, {"does not exist", "DoesNotExist"},
      {"in list", "In"},    {"not in list", "NotIn"}};
  for (const auto& [symbol, name] : spellings) {
    EXPECT_EQ(CanonicalComparator(symbol), name);
    EXPECT_EQ(CanonicalComparator(name), name);
  }
  for (const char* unknown : {"=", "equals", "greaterthan", "In ", "NOT IN LIST", ""}) {
    EXPECT_FALSE(CanonicalComparator(unknown)) << unknown;
  }
}

TEST(WorkerPoolRulesTest, QualificationsAreParsedAndBlockAndFailedOnboardingAreAppended) {
  auto rules = Parse(
      "block_qualification: blocked\n"
      "onboarding_qualification: onboarded\n"
      "onboarding_data: {question: 'Pick one', options: [a, b]}\n"
      "onboarding_answers: {choice: a, count: 3, exact: '3'}\n",
      "qualifications:\n"
      "  - {qualification_name: english, comparator: '>=', value: 3}\n"
      "  - {qualification_name: country, comparator: not in list, value: [1, 2],"
      " applicable_providers: [mock]}\n"
      "  - {qualification_name: vetted, comparator: exists}\n");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->qualifications.size(), 3u);
  EXPECT_EQ(rules->qualifications[0].comparator, "GreaterThanOrEqualTo");
  EXPECT_EQ(rules->qualifications[0].value, json(3));
  EXPECT_EQ(rules->qualifications[1].comparator, "NotIn");
  EXPECT_EQ(rules->qualifications[1].value, json::parse("[1,2]"));
  EXPECT_TRUE(rules->qualifications[2].value.is_null());

  ASSERT_TRUE(rules->onboarding);
  EXPECT_EQ(rules->onboarding->data, json::parse(R"({"question":"Pick one","options":["a","b"]})"));
  // A plain 3 is a number, a quoted '3' a string: the answer key compares JSON values.
  EXPECT_EQ(rules->onboarding->answers, json::parse(R"({"choice":"a","count":3,"exact":"3"})"));

  auto enforced = rules->EnforcedRequirements();
  ASSERT_EQ(enforced.size(), 5u);
  EXPECT_EQ(enforced[3].qualification_name, "blocked");
  EXPECT_EQ(enforced[3].comparator, "DoesNotExist");
  EXPECT_EQ(enforced[4].qualification_name, "onboarded-failed");
  EXPECT_EQ(enforced[4].comparator, "DoesNotExist");
}

TEST(WorkerPoolRulesTest, MistakesAreReportedWithTheKeyThatHoldsThem) {
  struct Case {
    std::string blueprint;
    std::string task;
    std::string expected;  // part of the error message
  };
  const std::vector<Case> cases{
      {"{}", "qualifications: {qualification_name: x}", "task.qualifications must be a list"},
      {"{}", "qualifications: [{qualification_name: x, comparator: '=', value: 1}]",
       "task.qualifications[0].comparator must be one of"},
      {"{}", "qualifications: [{comparator: '>', value: 1}]",
       "task.qualifications[0].qualification_name"},
      {"{}", "qualifications: [{qualification_name: x, comparator: '>', value: '1'}]",
       "must be an integer for GreaterThan"},
      {"{}", "qualifications: [{qualification_name: x, comparator: '==', value: 1.5}]",
       "must be an integer for EqualTo"},
      {"{}", "qualifications: [{qualification_name: x, comparator: exists, value: 1}]",
       "must be absent (or null) for Exists"},
      {"{}", "qualifications: [{qualification_name: x, comparator: In, value: 1}]",
       "must be a list of integers for In"},
      {"{}", "qualifications: [{qualification_name: x, comparator: NotIn, value: [a]}]",
       "must be a list of integers for NotIn"},
      {"{}", "qualifications: [{qualification_name: x, comparitor: '>', value: 1}]",
       "unknown key 'comparitor'"},
      {"{}",
       "qualifications: [{qualification_name: x, comparator: '>', value: 1,"
       " applicable_providers: mock}]",
       "applicable_providers must be a list"},
      {"{}", "qualifications: [ok, {qualification_name: x}]", "task.qualifications[0] must be"},
      {"block_qualification: ''", "{}", "blueprint.block_qualification must be"},
      {"block_qualification: [a]", "{}", "blueprint.block_qualification must be"},
      {"onboarding_qualification: o", "{}", "blueprint.onboarding_answers must be a non-empty"},
      {"{onboarding_qualification: o, onboarding_answers: {}}", "{}",
       "blueprint.onboarding_answers must be a non-empty"},
      {"{onboarding_qualification: o, onboarding_answers: [a]}", "{}",
       "blueprint.onboarding_answers must be a non-empty"},
      {"{onboarding_qualification: o, onboarding_answers: {a: 1}, onboarding_data: text}", "{}",
       "blueprint.onboarding_data must be a mapping"},
      {"{onboarding_answers: {a: 1}}", "{}", "need blueprint.onboarding_qualification"},
      {"{onboarding_data: {a: 1}}", "{}", "need blueprint.onboarding_qualification"},
      {"{onboarding_qualification: q, onboarding_answers: {a: 1}, block_qualification: q}", "{}",
       "must differ"},
  };
  for (const auto& c : cases) {
    auto rules = Parse(c.blueprint, c.task);
    ASSERT_FALSE(rules) << c.blueprint << " / " << c.task;
    EXPECT_NE(rules.error().message.find(c.expected), std::string::npos)
        << c.blueprint << " / " << c.task << ": " << rules.error().message;
  }
}

TEST(WorkerPoolRulesTest, ScreeningAndGoldUnitsAreReadWithTheirAnswerKeys) {
  auto screening = Parse(
      "use_screening_task: true\n"
      "passed_qualification_name: screened\n"
      "block_qualification: failed-screening\n"
      "max_screening_units: 5\n"
      "screening_units:\n"
      "  - {data: {text: a}, answers: {label: pos}}\n"
      "  - {answers: {label: neg}}\n",
      "allowed_concurrent: 1");
  ASSERT_TRUE(screening) << screening.error().message;
  ASSERT_TRUE(screening->screening);
  EXPECT_FALSE(screening->golds);
  EXPECT_EQ(screening->screening->passed_qualification, "screened");
  EXPECT_EQ(screening->screening->max_units, 5);
  ASSERT_EQ(screening->screening->units.size(), 2u);
  EXPECT_EQ(screening->screening->units[0].data, json({{"text", "a"}}));
  EXPECT_EQ(screening->screening->units[1].data, json::object());
  EXPECT_EQ(screening->screening->units[1].answers, json({{"label", "neg"}}));
  // Failing screening grants the block qualification, which is what keeps the worker out.
  auto enforced = screening->EnforcedRequirements();
  ASSERT_EQ(enforced.size(), 1u);
  EXPECT_EQ(enforced[0].qualification_name, "failed-screening");

  auto golds = Parse(
      "use_golds: true\ngold_qualification_base: g\nmax_gold_units: 9\n"
      "gold_units: [{data: {x: 1}, answers: {y: 2}}]\n",
      "allowed_concurrent: 1");
  ASSERT_TRUE(golds) << golds.error().message;
  ASSERT_TRUE(golds->golds);
  EXPECT_EQ(golds->golds->max_units, 9);
  EXPECT_EQ(golds->golds->min_golds, 1);  // Mephisto's defaults
  EXPECT_EQ(golds->golds->max_incorrect_golds, 0);
  enforced = golds->EnforcedRequirements();
  ASSERT_EQ(enforced.size(), 1u);
  EXPECT_EQ(enforced[0].qualification_name, "g-disqualified");
  EXPECT_EQ(enforced[0].comparator, "DoesNotExist");

  auto off = Parse("{use_screening_task: false, use_golds: false}");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->screening);
  EXPECT_FALSE(off->golds);
}

TEST(WorkerPoolRulesTest, ScreeningAndGoldMistakesAreReported) {
  const std::string screening =
      "use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
      "max_screening_units: 2\nscreening_units: [{answers: {a: 1}}]\n";
  const std::string golds =
      "use_golds: true\ngold_qualification_base: g\nmax_gold_units: 2\n"
      "gold_units: [{answers: {a: 1}}]\n";
  struct Case {
    std::string blueprint;
    std::string task;
    std::string expected;
  };
  const std::vector<Case> cases{
      {screening, "{}", "needs task.allowed_concurrent: 1"},
      {screening, "allowed_concurrent: 2", "needs task.allowed_concurrent: 1"},
      {screening + "units_per_assignment: 2\n", "allowed_concurrent: 1",
       "needs blueprint.units_per_assignment: 1"},
      {"use_screening_task: yes", "allowed_concurrent: 1", "must be true or false"},
      {"use_screening_task: true\npassed_qualification_name: p\nmax_screening_units: 2\n"
       "screening_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "needs blueprint.block_qualification"},
      {"use_screening_task: true\nblock_qualification: b\nmax_screening_units: 2\n"
       "screening_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.passed_qualification_name must be"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "screening_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.max_screening_units must be an integer from 1"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "max_screening_units: 0\nscreening_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.max_screening_units must be an integer from 1"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "max_screening_units: 1\n",
       "allowed_concurrent: 1", "blueprint.screening_units must be a non-empty list"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "max_screening_units: 1\nscreening_units: [{data: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.screening_units[0].answers must be a non-empty"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "max_screening_units: 1\nscreening_units: [{answers: {a: 1}, answer: {}}]\n",
       "allowed_concurrent: 1", "unknown key 'answer'"},
      {"use_screening_task: true\npassed_qualification_name: p\nblock_qualification: b\n"
       "max_screening_units: 1\nscreening_units: [{data: [1], answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "screening_units[0].data must be a mapping"},
      {"use_screening_task: true\npassed_qualification_name: b\nblock_qualification: b\n"
       "max_screening_units: 1\nscreening_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "must differ"},
      {golds, "{}", "needs task.allowed_concurrent: 1"},
      {golds + "min_golds: -1\n", "allowed_concurrent: 1", "blueprint.min_golds must be"},
      {golds + "max_incorrect_golds: x\n", "allowed_concurrent: 1",
       "blueprint.max_incorrect_golds must be"},
      {"use_golds: true\nmax_gold_units: 2\ngold_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.gold_qualification_base must be"},
      {"use_golds: true\ngold_qualification_base: g\ngold_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "blueprint.max_gold_units must be"},
      {"use_golds: true\ngold_qualification_base: g\nmax_gold_units: 2\ngold_units: []\n",
       "allowed_concurrent: 1", "blueprint.gold_units must be a non-empty list"},
      {screening + "use_golds: true\ngold_qualification_base: g\nmax_gold_units: 2\n"
                   "gold_units: [{answers: {a: 1}}]\n",
       "allowed_concurrent: 1", "cannot be combined"},
  };
  for (const auto& c : cases) {
    auto rules = Parse(c.blueprint, c.task);
    ASSERT_FALSE(rules) << c.blueprint << " / " << c.task;
    EXPECT_NE(rules.error().message.find(c.expected), std::string::npos)
        << c.blueprint << " / " << c.task << ": " << rules.error().message;
  }
}

TEST(YamlToJsonTest, PlainScalarsAreTypedAndQuotedOnesStayStrings) {
  auto value = YamlToJson(YAML::Load(
      "{int: 42, neg: -7, real: 2.5, exp: 1e3, yes: true, no: False, nothing: ~, empty: null,"
      " word: yes, quoted: '42', double: \"true\", tagged: !!str 5, big: 1e999,"
      " list: [1, '1', {a: b}]}"));
  EXPECT_EQ(value["int"], json(42));
  EXPECT_EQ(value["neg"], json(-7));
  EXPECT_EQ(value["real"], json(2.5));
  EXPECT_EQ(value["exp"], json(1000.0));
  EXPECT_EQ(value["yes"], json(true));
  EXPECT_EQ(value["no"], json(false));
  EXPECT_TRUE(value["nothing"].is_null());
  EXPECT_TRUE(value["empty"].is_null());
  EXPECT_EQ(value["word"], json("yes"));  // YAML 1.2: only true/false are booleans
  EXPECT_EQ(value["quoted"], json("42"));
  EXPECT_EQ(value["double"], json("true"));
  EXPECT_EQ(value["tagged"], json("5"));
  EXPECT_EQ(value["big"], json("1e999"));  // no JSON number can hold it
  EXPECT_EQ(value["list"], json::parse(R"([1,"1",{"a":"b"}])"));
}

}  // namespace
}  // namespace throng::operator_

#include "task_config_schema.hpp"

#include <gtest/gtest.h>

#include <set>

namespace throng::operator_ {
namespace {

// The error of a config that must be refused; a test failure if it was accepted.
std::string ErrorOf(const std::string& config) {
  auto checked = CheckTaskConfigShape(YAML::Load(config));
  EXPECT_FALSE(checked) << config << " was accepted";
  return checked ? std::string() : checked.error().message;
}

void ExpectAccepted(const std::string& config) {
  auto checked = CheckTaskConfigShape(YAML::Load(config));
  EXPECT_TRUE(checked) << config << ": " << (checked ? "" : checked.error().message);
}

TEST(TaskConfigSchemaTest, AMephistoStyleConfigWithEveryGroupIsAccepted) {
  ExpectAccepted(R"(
blueprint: {_blueprint_type: static_task, task_source: t.html, data_csv: d.csv,
            units_per_assignment: 1, block_qualification: blocked}
architect: {_architect_type: router, public_url: "https://tasks.example.org"}
provider: {_provider_type: mock, requester_name: lab}
task: {task_name: demo, task_reward: 0.5, max_num_concurrent_units: 3, task_title: ~}
monitoring: {min_gold_accuracy: 0.9}
)");
}

TEST(TaskConfigSchemaTest, AnUnknownKeyIsNamedWithTheNearestKnownOneAndTheKnownKeys) {
  auto error = ErrorOf("{blueprint: {type: static_task}, task: {max_num_concurent_units: 3}}");
  EXPECT_NE(error.find("task.max_num_concurent_units is not a setting of task"), std::string::npos)
      << error;
  EXPECT_NE(error.find("did you mean max_num_concurrent_units?"), std::string::npos) << error;
  EXPECT_NE(error.find("its settings: task_name, task_title"), std::string::npos) << error;
  EXPECT_NE(error.find("`throng wut task`"), std::string::npos) << error;
}

TEST(TaskConfigSchemaTest, AKeyOfAnotherTypeIsNotASettingOfThisOne) {
  auto error = ErrorOf(
      "{blueprint: {type: static_task}, provider: {type: mock, prolific_completion_code: C1}}");
  EXPECT_NE(error.find("provider.prolific_completion_code is not a setting of provider 'mock'"),
            std::string::npos)
      << error;
  ExpectAccepted(
      "{blueprint: {type: static_task}, provider: {type: prolific, prolific_completion_code: C1}}");
  error = ErrorOf("{blueprint: {type: paired_chat, use_golds: true}}");
  EXPECT_NE(error.find("blueprint.use_golds is not a setting of blueprint 'paired_chat'"),
            std::string::npos)
      << error;
}

TEST(TaskConfigSchemaTest, WrongTypesNameTheKeyTheExpectedTypeAndTheValue) {
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task}, task: {allowed_concurrent: two}}"),
            "task.allowed_concurrent must be an integer, not 'two'");
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task}, task: {task_reward: [1]}}"),
            "task.task_reward must be a single value (number), not a list");
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task, use_golds: maybe}}"),
            "blueprint.use_golds must be true or false, not 'maybe'");
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task, onboarding_answers: yes}}"),
            "blueprint.onboarding_answers must be a mapping, not 'yes'");
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task}, architect: {public_url: tasks.org}}"),
            "architect.public_url must be an http:// or https:// URL, not 'tasks.org'");
  EXPECT_EQ(ErrorOf("{blueprint: {type: static_task}, task: {max_num_concurrent_units: 2.5}}"),
            "task.max_num_concurrent_units must be an integer, not '2.5'");
}

TEST(TaskConfigSchemaTest, UnknownGroupsAndTypesListTheSupportedOnes) {
  auto error = ErrorOf("{blueprint: {type: static_task}, tsk: {task_name: x}}");
  EXPECT_NE(error.find("unknown section 'tsk' (did you mean task?)"), std::string::npos) << error;
  error = ErrorOf("{blueprint: {type: static_tsk}}");
  EXPECT_NE(error.find("blueprint.type 'static_tsk' is not supported; supported blueprints: "
                       "static_task, static_react_task, paired_chat (did you mean static_task?)"),
            std::string::npos)
      << error;
  error = ErrorOf("{blueprint: {task_source: t.html}}");
  EXPECT_NE(error.find("blueprint.type is required"), std::string::npos) << error;
  error = ErrorOf("{blueprint: {type: static_task}, architect: {type: local}}");
  EXPECT_NE(error.find("supported architects: router"), std::string::npos) << error;
  EXPECT_EQ(ErrorOf("{blueprint: [static_task]}"),
            "the task config's 'blueprint' section must be a mapping (`throng wut blueprint` "
            "lists them)");
}

TEST(TaskConfigSchemaTest, EveryGroupListsItsTypeFirstAndEveryArgumentOnce) {
  for (const auto& group : TaskConfigGroups()) {
    std::vector<std::string> kinds{""};
    if (!group.kinds.empty()) {
      kinds.clear();
      for (const auto& [name, help] : group.kinds) kinds.push_back(name);
    }
    for (const auto& kind : kinds) {
      auto arguments = ConfigArgumentsOf(group.name, kind);
      ASSERT_FALSE(arguments.empty()) << group.name << "=" << kind;
      if (!group.kinds.empty()) {
        EXPECT_EQ(arguments.front().name, "type");
      }
      std::set<std::string> names;
      for (const auto& argument : arguments) {
        EXPECT_TRUE(names.insert(argument.name).second) << group.name << "." << argument.name;
        EXPECT_FALSE(argument.help.empty()) << group.name << "." << argument.name;
      }
    }
  }
}

}  // namespace
}  // namespace throng::operator_

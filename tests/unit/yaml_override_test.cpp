#include "throng/common/yaml_override.hpp"

#include <gtest/gtest.h>

namespace throng {
namespace {

TEST(YamlOverride, ReplacesANestedScalarWithATypedValue) {
  auto doc = YAML::Load("task:\n  max_num_concurrent_units: 0\n  task_name: a\n");
  ASSERT_TRUE(ApplyYamlOverride(doc, "task.max_num_concurrent_units=5"));
  EXPECT_EQ(doc["task"]["max_num_concurrent_units"].as<int>(), 5);
  EXPECT_EQ(doc["task"]["task_name"].as<std::string>(), "a");
}

TEST(YamlOverride, CreatesMissingMapsOnTheWay) {
  YAML::Node doc;
  ASSERT_TRUE(ApplyYamlOverride(doc, "provider.type=inhouse"));
  EXPECT_EQ(doc["provider"]["type"].as<std::string>(), "inhouse");
}

TEST(YamlOverride, KeepsEverythingAfterTheFirstEqualsSign) {
  auto doc = YAML::Load("task: {}");
  ASSERT_TRUE(ApplyYamlOverride(doc, "task.task_title=a=b"));
  EXPECT_EQ(doc["task"]["task_title"].as<std::string>(), "a=b");
}

TEST(YamlOverride, ParsesListsAndAllowsEmptyValues) {
  auto doc = YAML::Load("task: {}");
  ASSERT_TRUE(ApplyYamlOverride(doc, "task.task_tags=[x, y]"));
  ASSERT_TRUE(doc["task"]["task_tags"].IsSequence());
  EXPECT_EQ(doc["task"]["task_tags"][1].as<std::string>(), "y");
  ASSERT_TRUE(ApplyYamlOverride(doc, "task.task_description="));
  EXPECT_EQ(doc["task"]["task_description"].as<std::string>(), "");
}

TEST(YamlOverride, RejectsMalformedOverridesWithAClearMessage) {
  auto doc = YAML::Load("task:\n  task_name: a\n");
  auto no_equals = ApplyYamlOverride(doc, "task.task_name");
  ASSERT_FALSE(no_equals);
  EXPECT_NE(no_equals.error().message.find("key.path=value"), std::string::npos);
  EXPECT_FALSE(ApplyYamlOverride(doc, "=5"));
  EXPECT_FALSE(ApplyYamlOverride(doc, "task..x=1"));
  auto through_scalar = ApplyYamlOverride(doc, "task.task_name.deeper=1");
  ASSERT_FALSE(through_scalar);
  EXPECT_NE(through_scalar.error().message.find("not a mapping"), std::string::npos);
  EXPECT_EQ(doc["task"]["task_name"].as<std::string>(), "a");  // untouched
}

}  // namespace
}  // namespace throng

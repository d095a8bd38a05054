#include "task_run_spec.hpp"

#include <gtest/gtest.h>

namespace throng::operator_ {
namespace {

// A config file holding a lone scalar or a list: refused with an error, not a yaml-cpp
// exception (found by fuzz_task_config).
TEST(TaskRunSpecTest, RefusesDocumentsThatAreNotMappings) {
  for (const char* text : {"hello", "zint:+ [1,1, 2\n2\n", "[1, 2]", "42"}) {
    YAML::Node config;
    try {
      config = YAML::Load(text);
    } catch (const YAML::Exception&) {
      continue;  // not YAML at all: the loader reports that
    }
    bool refused = false;
    EXPECT_NO_THROW(refused = !ResolveTaskRunSpec(config, "/nonexistent")) << text;
    EXPECT_TRUE(refused) << text;
  }
}

}  // namespace
}  // namespace throng::operator_

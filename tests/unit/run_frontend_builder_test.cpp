#include "run_frontend_builder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "unique_temp_path.hpp"

namespace throng::operator_ {
namespace {

namespace fs = std::filesystem;

// A static_task run of one row, launched with `provider` as its provider group.
class RunFrontendBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("throng_run_frontend_test");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "task.html") << "<p>${text}</p>";
    std::ofstream(dir_ / "data.csv") << "text\nhello\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The run's static dir.
  fs::path Build(const std::string& provider) {
    auto config = YAML::Load(
        "blueprint: {type: static_task, task_source: task.html, data_csv: data.csv}\n"
        "task: {task_name: t}\n"
        "provider: " +
        provider);
    auto spec = ResolveTaskRunSpec(config, dir_.string());
    EXPECT_TRUE(spec) << spec.error().message;
    if (!spec) return {};
    auto built = BuildRunFrontend(*spec, 7, (dir_ / "data").string());
    EXPECT_TRUE(built) << built.error().message;
    return built ? fs::path(*built) : fs::path();
  }

  static std::string Read(const fs::path& path) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(RunFrontendBuilderTest, AMockRunGetsTheMockGlueAndNoProviderArgs) {
  auto static_dir = Build("{type: mock}");
  auto glue = Read(static_dir / "wrap_crowd_source.js");
  EXPECT_NE(glue.find("urlParam(\"worker_id\")"), std::string::npos) << glue;
  auto config = nlohmann::json::parse(Read(static_dir / "task_config.json"));
  EXPECT_FALSE(config.contains("provider")) << config.dump();
  EXPECT_TRUE(fs::exists(static_dir / "static_task.js"));
  EXPECT_TRUE(fs::exists(static_dir / "task.html"));
}

TEST_F(RunFrontendBuilderTest, AProlificRunGetsTheProlificGlueAndItsCompletionLink) {
  auto static_dir = Build(
      "{type: prolific, prolific_completion_code: CODE7, prolific_completion_url: "
      "'http://127.0.0.1:9/complete'}");
  auto glue = Read(static_dir / "wrap_crowd_source.js");
  EXPECT_NE(glue.find("provider_type: \"prolific\""), std::string::npos) << glue;
  EXPECT_NE(glue.find("\"participant_id\", \"PROLIFIC_PID\""), std::string::npos) << glue;
  auto config = nlohmann::json::parse(Read(static_dir / "task_config.json"));
  EXPECT_EQ(config["provider"]["type"], "prolific");
  EXPECT_EQ(config["provider"]["submit_redirect_url"], "http://127.0.0.1:9/complete?cc=CODE7");
  // Only the run's own provider's glue: no second provider's files in the static dir.
  for (const auto& entry : fs::directory_iterator(static_dir)) {
    EXPECT_FALSE(entry.is_directory()) << entry.path();
  }
}

}  // namespace
}  // namespace throng::operator_

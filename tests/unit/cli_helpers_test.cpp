// The CLI's pieces that need no database: worker links, the progress line, the user config.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "run_progress.hpp"
#include "unique_temp_path.hpp"
#include "user_config.hpp"
#include "worker_link.hpp"

namespace throng::cli {
namespace {

TEST(WorkerLinkTest, NamesTheRunAndTheProvidersIds) {
  EXPECT_EQ(
      WorkerLink("https://tasks.example.org/", 7, "mock"),
      "https://tasks.example.org/?task_run_id=7&worker_id=<worker>&assignment_id=<assignment>");
  EXPECT_EQ(WorkerLink("http://127.0.0.1:3000", 12, "prolific"),
            "http://127.0.0.1:3000/?task_run_id=12&participant_id={{%PROLIFIC_PID%}}"
            "&study_id={{%STUDY_ID%}}&submission_id={{%SESSION_ID%}}");
}

TEST(ProgressLineTest, FillsTheBarWithDoneAndExpiredUnits) {
  RunProgress progress;
  progress.units_total = 20;
  progress.units_completed = 8;
  progress.units_reviewed = 2;
  progress.units_expired = 2;
  progress.units_assigned = 3;
  progress.units_launched = 4;
  progress.units_created = 1;
  progress.active_workers = 3;
  progress.submissions_last_minute = 6;
  EXPECT_EQ(ProgressLine(progress, 10),
            "[#####x----] 10/20 done | 3 in progress | 5 waiting | 2 expired | 3 workers | "
            "6 submissions/min");
  RunProgress empty;
  EXPECT_EQ(ProgressLine(empty, 4),
            "[----] 0/0 done | 0 in progress | 0 waiting | 0 expired | 0 workers | "
            "0 submissions/min");
}

TEST(UserConfigTest, ThePathFollowsTheExplicitFileThenXdgThenHome) {
  EXPECT_EQ(*UserConfig::DefaultPath("/etc/throng.yml", "/x", "/home/a"), "/etc/throng.yml");
  EXPECT_EQ(*UserConfig::DefaultPath(nullptr, "/x", "/home/a"), "/x/throng/config.yml");
  EXPECT_EQ(*UserConfig::DefaultPath("", "relative", "/home/a"),
            "/home/a/.config/throng/config.yml");
  EXPECT_FALSE(UserConfig::DefaultPath(nullptr, nullptr, nullptr));
}

TEST(UserConfigTest, SetChecksTheKeyAndValueAndKeepsOtherSettings) {
  auto path = throng::testing::UniqueTempPath("user_config") / "throng" / "config.yml";
  std::filesystem::remove_all(path.parent_path());
  auto config = UserConfig::Load(path);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->Find("launch.worker_url"));
  ASSERT_TRUE(config->Set("launch.worker_url", "https://tasks.example.org"));
  ASSERT_TRUE(config->Set("database.pg_dsn", "postgresql://me@db:5432/throng"));
  auto error = config->Set("launch.worker_url", "tasks.example.org");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("launch.worker_url must be an http:// or https:// URL"),
            std::string::npos);
  error = config->Set("launch.workers_url", "https://x");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("not a user config key; the keys: database.pg_dsn"),
            std::string::npos);

  auto reread = UserConfig::Load(path);
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->Find("launch.worker_url"), "https://tasks.example.org");
  EXPECT_EQ(reread->Find("database.pg_dsn"), "postgresql://me@db:5432/throng");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  std::filesystem::remove_all(path.parent_path().parent_path());
}

TEST(UserConfigTest, AMalformedFileIsAnErrorNamingIt) {
  auto path = throng::testing::UniqueTempPath("user_config_bad.yml");
  std::ofstream(path) << "- a list\n- not sections\n";
  auto config = UserConfig::Load(path);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("must be a mapping of sections"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace throng::cli

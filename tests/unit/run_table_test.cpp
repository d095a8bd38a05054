#include "run_table.hpp"

#include <gtest/gtest.h>

namespace throng::router {
namespace {

v1::TaskRunInfo MakeRun(const std::string& id, std::int64_t created_ms) {
  v1::TaskRunInfo run;
  run.set_task_run_id(id);
  run.set_created_ms(created_ms);
  return run;
}

TEST(RunTable, CookiePicksTheRunElseTheNewest) {
  RunTable table;
  EXPECT_EQ(table.Resolve(""), nullptr);
  table.Replace({MakeRun("1", 100), MakeRun("2", 300), MakeRun("3", 200)});
  EXPECT_EQ(table.Resolve("")->task_run_id(), "2");
  EXPECT_EQ(table.Resolve("a=b; throng_task_run=3; c=d")->task_run_id(), "3");
  // A cookie for a run that is no longer live falls back to the newest.
  EXPECT_EQ(table.Resolve("throng_task_run=9")->task_run_id(), "2");
}

TEST(RunTable, CookieValueParsing) {
  EXPECT_EQ(CookieValue("x=1;y=2", "y"), "2");
  EXPECT_EQ(CookieValue("  x=1", "x"), "1");
  EXPECT_FALSE(CookieValue("xx=1", "x"));
  EXPECT_FALSE(CookieValue("", "x"));
}

}  // namespace
}  // namespace throng::router

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
  EXPECT_EQ(table.Resolve("/", "", ""), nullptr);
  table.Replace({MakeRun("1", 100), MakeRun("2", 300), MakeRun("3", 200)});
  EXPECT_EQ(table.Resolve("/", "", "")->task_run_id(), "2");
  EXPECT_EQ(table.Resolve("/", "", "a=b; throng_task_run=3; c=d")->task_run_id(), "3");
  // A cookie for a run that is no longer live falls back to the newest.
  EXPECT_EQ(table.Resolve("/", "", "throng_task_run=9")->task_run_id(), "2");
}

TEST(RunTable, QueryThenRefererThenCookie) {
  RunTable table;
  table.Replace({MakeRun("1", 100), MakeRun("2", 300), MakeRun("3", 200)});
  const std::string cookie = "throng_task_run=3";
  // The link a requester hands out picks the run, whatever the cookie says.
  EXPECT_EQ(table.Resolve("/?worker_id=w&task_run_id=1", "", cookie)->task_run_id(), "1");
  // The page's own absolute-path requests carry it in their Referer: two tabs never mix.
  EXPECT_EQ(table.Resolve("/request_agent", "http://h:3000/?task_run_id=1&assignment_id=a", cookie)
                ->task_run_id(),
            "1");
  EXPECT_EQ(
      table.Resolve("/request_agent", "http://h:3000/?assignment_id=a", cookie)->task_run_id(),
      "3");
  // A named run that is not live here (finished, or not announced yet) is no run at all: the
  // worker must not be handed another run's work.
  EXPECT_EQ(table.Resolve("/?task_run_id=99", "", cookie), nullptr);
  EXPECT_EQ(table.Resolve("/request_agent", "http://h:3000/?task_run_id=99", cookie), nullptr);
  EXPECT_EQ(table.Resolve("/?task_run_id=", "", "")->task_run_id(), "2");
}

TEST(RunTable, QueryValueParsing) {
  EXPECT_EQ(QueryValue("/a?x=1&y=2", "y"), "2");
  EXPECT_EQ(QueryValue("http://h/?y=2#frag&x=3", "y"), "2");
  EXPECT_FALSE(QueryValue("http://h/?y=2#x=3", "x"));
  EXPECT_FALSE(QueryValue("/a?xx=1", "x"));
  EXPECT_FALSE(QueryValue("/a", "x"));
  EXPECT_EQ(QueryValue("/a?x", "x"), std::nullopt);
}

TEST(RunTable, CookieValueParsing) {
  EXPECT_EQ(CookieValue("x=1;y=2", "y"), "2");
  EXPECT_EQ(CookieValue("  x=1", "x"), "1");
  EXPECT_FALSE(CookieValue("xx=1", "x"));
  EXPECT_FALSE(CookieValue("", "x"));
}

}  // namespace
}  // namespace throng::router

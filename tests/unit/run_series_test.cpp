#include "run_series.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "counter_value.hpp"

namespace throng::operator_ {
namespace {

using testing::SeriesValue;

TEST(RunSeriesTest, SeriesAreMadeOnFirstUseAndRemovedOnceTheirRunHasEnded) {
  prometheus::Registry registry;
  RunSeries<prometheus::Counter> launched(
      prometheus::BuildCounter().Name("launched_total").Help("test").Register(registry));
  auto increment = [&](std::int64_t run, const std::string& type) {
    launched.Update(run, {{"unit_type", type}}, [](auto& counter) { counter.Increment(); });
  };
  increment(1, "standard");
  increment(1, "standard");
  increment(1, "gold");
  increment(2, "standard");
  EXPECT_EQ(
      SeriesValue(registry, "launched_total", {{"task_run_id", "1"}, {"unit_type", "standard"}}),
      2);
  EXPECT_EQ(SeriesValue(registry, "launched_total", {{"task_run_id", "1"}, {"unit_type", "gold"}}),
            1);

  // Series made after `settled` stay: their run may be too new for the list of live runs.
  auto now = RunSeries<prometheus::Counter>::Clock::now();
  launched.RemoveEnded({}, now - std::chrono::hours(1));
  EXPECT_EQ(SeriesValue(registry, "launched_total", {{"task_run_id", "2"}}), 1);

  launched.RemoveEnded({2}, now + std::chrono::hours(1));
  EXPECT_EQ(SeriesValue(registry, "launched_total", {{"task_run_id", "1"}}), -1);
  EXPECT_EQ(SeriesValue(registry, "launched_total", {{"task_run_id", "2"}}), 1);
  increment(1, "gold");  // a late event makes the series again, from zero
  EXPECT_EQ(SeriesValue(registry, "launched_total", {{"task_run_id", "1"}, {"unit_type", "gold"}}),
            1);
}

}  // namespace
}  // namespace throng::operator_

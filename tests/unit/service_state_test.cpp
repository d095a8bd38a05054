#include "throng/common/service_state.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace throng {
namespace {

using State = ServiceState::State;

// state label -> value; checks every sample carries the service label.
std::map<std::string, double> Samples(const ServiceState& state, const std::string& service) {
  auto families = state.Collect();
  EXPECT_EQ(families.size(), 1u);
  std::map<std::string, double> samples;
  if (families.empty()) return samples;
  EXPECT_EQ(families.front().name, "throng_service_state");
  EXPECT_EQ(families.front().type, prometheus::MetricType::Gauge);
  for (const auto& metric : families.front().metric) {
    std::map<std::string, std::string> labels;
    for (const auto& label : metric.label) labels[label.name] = label.value;
    EXPECT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels["service"], service);
    samples[labels["state"]] = metric.gauge.value;
  }
  return samples;
}

// The single state at 1; fails unless exactly one is 1 and the others 0.
std::string OnlyState(const ServiceState& state) {
  std::string current;
  int ones = 0;
  for (const auto& [name, value] : Samples(state, "router")) {
    EXPECT_TRUE(value == 0 || value == 1) << name;
    if (value == 1) {
      ++ones;
      current = name;
    }
  }
  EXPECT_EQ(ones, 1);
  return current;
}

TEST(ServiceState, StartsAsStartingWithEveryStateListed) {
  ServiceState state("router");
  auto samples = Samples(state, "router");
  EXPECT_EQ(samples,
            (std::map<std::string, double>{
                {"starting", 1}, {"standby", 0}, {"running", 0}, {"draining", 0}, {"error", 0}}));
  EXPECT_EQ(state.Current(), State::kStarting);
}

TEST(ServiceState, FollowsTransitionsWithExactlyOneStateAtOne) {
  ServiceState state("router");
  state.Set(State::kStandby);
  EXPECT_EQ(OnlyState(state), "standby");
  state.Set(State::kRunning);
  EXPECT_EQ(OnlyState(state), "running");
  state.Set(State::kError);
  EXPECT_EQ(OnlyState(state), "error");
  state.Set(State::kRunning);  // the dependency came back
  EXPECT_EQ(OnlyState(state), "running");
  state.Set(State::kDraining);
  EXPECT_EQ(OnlyState(state), "draining");
}

TEST(ServiceState, DrainingIsFinal) {
  ServiceState state("router");
  state.Set(State::kDraining);
  for (auto later : ServiceState::kAll) state.Set(later);
  EXPECT_EQ(state.Current(), State::kDraining);
  EXPECT_EQ(OnlyState(state), "draining");
}

TEST(ServiceState, ACollectDuringChangesNeverSeesTwoStates) {
  ServiceState state("router");
  std::atomic<bool> done{false};
  std::thread flipper([&] {
    for (int i = 0; !done; ++i) state.Set(i % 2 ? State::kRunning : State::kError);
  });
  for (int i = 0; i < 2000; ++i) {
    auto families = state.Collect();
    int ones = 0;
    for (const auto& metric : families.front().metric) ones += metric.gauge.value == 1;
    ASSERT_EQ(ones, 1);
  }
  done = true;
  flipper.join();
}

}  // namespace
}  // namespace throng

#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <atomic>
#include <string>
#include <vector>

namespace throng {

// The health of one service instance, exported in the enum style of an engine state:
// throng_service_state{service, state} is 1 for the current state and 0 for every other.
// Rendered from one atomic at collect time, so a scrape never sees two states at 1.
class ServiceState final : public prometheus::Collectable {
 public:
  enum class State {
    kStarting,  // not serving yet (dependencies not reached so far)
    kStandby,   // healthy but deliberately idle: an operator waiting for the lease
    kRunning,   // serving
    kDraining,  // a stop was requested: finishing in-flight work
    kError,     // a dependency was lost (or never came); back to running once it returns
  };
  static constexpr State kAll[] = {State::kStarting, State::kStandby, State::kRunning,
                                   State::kDraining, State::kError};

  explicit ServiceState(std::string service);

  // Thread-safe. An instance that is draining stays so until it exits: it is on its way out
  // whatever its dependencies do, so no later report may make it look healthy again.
  void Set(State state);
  State Current() const { return state_.load(); }

  static const char* Name(State state);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string service_;
  std::atomic<State> state_{State::kStarting};
};

}  // namespace throng

#include "throng/common/service_state.hpp"

#include <iterator>

namespace throng {

ServiceState::ServiceState(std::string service) : service_(std::move(service)) {}

void ServiceState::Set(State state) {
  auto current = state_.load();
  while (current != State::kDraining && current != state &&
         !state_.compare_exchange_weak(current, state)) {
  }
}

const char* ServiceState::Name(State state) {
  // In the order of the enum.
  static constexpr const char* kNames[] = {"starting", "standby", "running", "draining", "error"};
  static_assert(std::size(kNames) == std::size(kAll));
  return kNames[static_cast<std::size_t>(state)];
}

std::vector<prometheus::MetricFamily> ServiceState::Collect() const {
  prometheus::MetricFamily family{
      "throng_service_state",
      "Health of this instance: 1 for its current state (starting, standby, running, draining, "
      "error), 0 for the others",
      prometheus::MetricType::Gauge,
      {}};
  const auto current = Current();
  for (auto state : kAll) {
    prometheus::ClientMetric metric;
    metric.label = {{"service", service_}, {"state", Name(state)}};
    metric.gauge.value = state == current ? 1 : 0;
    family.metric.push_back(std::move(metric));
  }
  return {family};
}

}  // namespace throng

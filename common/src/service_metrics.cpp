#include "throng/common/service_metrics.hpp"

#include <iterator>

#include "throng/common/build_info.hpp"

namespace throng {

ServiceMetrics::ServiceMetrics(const std::string& service) : state_(service) {
  RegisterBuildInfo(registry_, service);
}

std::vector<prometheus::MetricFamily> ServiceMetrics::Collect() const {
  auto families = registry_.Collect();
  auto append = [&families](std::vector<prometheus::MetricFamily> more) {
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  };
  append(state_.Collect());
  append(process_.Collect());
  return families;
}

}  // namespace throng

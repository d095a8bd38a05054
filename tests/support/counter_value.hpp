#pragma once

#include <prometheus/registry.h>

#include <map>
#include <string>

namespace throng::testing {

// The value of the series of counter `name` whose `label` is `value`; -1 if there is none.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::string& label, const std::string& value) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      for (const auto& pair : metric.label) {
        if (pair.name == label && pair.value == value) return metric.counter.value;
      }
    }
  }
  return -1;
}

// The value of the counter or gauge series `name` carrying every one of `labels` (and maybe
// others); -1 if there is none.
inline double SeriesValue(prometheus::Registry& registry, const std::string& name,
                          const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::size_t matched = 0;
      for (const auto& pair : metric.label) {
        auto wanted = labels.find(pair.name);
        if (wanted != labels.end() && wanted->second == pair.value) ++matched;
      }
      if (matched != labels.size()) continue;
      return family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                          : metric.counter.value;
    }
  }
  return -1;
}

}  // namespace throng::testing

#pragma once

#include <prometheus/registry.h>

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

}  // namespace throng::testing

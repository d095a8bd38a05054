#include "throng/common/snapshot_codec.hpp"

#include <cmath>

namespace throng {

void FillSnapshot(const std::vector<prometheus::MetricFamily>& families,
                  v1::MetricsSnapshot& snapshot) {
  for (const auto& family : families) {
    v1::MetricType type;
    switch (family.type) {
      case prometheus::MetricType::Counter:
        type = v1::METRIC_TYPE_COUNTER;
        break;
      case prometheus::MetricType::Gauge:
        type = v1::METRIC_TYPE_GAUGE;
        break;
      case prometheus::MetricType::Histogram:
        type = v1::METRIC_TYPE_HISTOGRAM;
        break;
      default:
        continue;
    }
    auto* out = snapshot.add_families();
    out->set_name(family.name);
    out->set_help(family.help);
    out->set_type(type);
    for (const auto& metric : family.metric) {
      auto* sample = out->add_samples();
      for (const auto& label : metric.label) {
        auto* l = sample->add_labels();
        l->set_name(label.name);
        l->set_value(label.value);
      }
      if (type == v1::METRIC_TYPE_COUNTER) sample->set_value(metric.counter.value);
      if (type == v1::METRIC_TYPE_GAUGE) sample->set_value(metric.gauge.value);
      if (type == v1::METRIC_TYPE_HISTOGRAM) {
        sample->set_sample_count(metric.histogram.sample_count);
        sample->set_sample_sum(metric.histogram.sample_sum);
        for (const auto& bucket : metric.histogram.bucket) {
          if (!std::isinf(bucket.upper_bound)) sample->add_bucket_bounds(bucket.upper_bound);
          sample->add_bucket_cumulative(bucket.cumulative_count);
        }
      }
    }
  }
}

}  // namespace throng

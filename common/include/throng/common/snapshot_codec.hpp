#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "throng/v1/metrics_snapshot.pb.h"

namespace throng {

inline constexpr unsigned kSnapshotSchemaVersion = 1;

// Copies prometheus-cpp collected families into the snapshot message (counters, gauges,
// histograms; other types are skipped since they cannot be merged across instances).
void FillSnapshot(const std::vector<prometheus::MetricFamily>& families,
                  v1::MetricsSnapshot& snapshot);

}  // namespace throng

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "throng/v1/metrics_snapshot.pb.h"

namespace throng::aggregator {

// Caps on what the snapshots of one service may hold. Anything beyond them is dropped and
// counted, so one misbehaving publisher cannot blow up the cluster-wide exposition.
struct MergeLimits {
  std::size_t max_instances = 500;
  std::size_t max_series_per_instance = 5000;  // exposition lines with a value
  std::size_t max_buckets = 64;                // finite bounds per histogram sample
  std::size_t max_labels = 32;                 // labels per sample
  std::size_t max_name_bytes = 200;            // metric and label names
  std::size_t max_label_value_bytes = 256;     // label values, instance ids included
  std::size_t max_help_bytes = 1024;
};

struct MergeResult {
  // Prometheus text exposition (format 0.0.4); empty when no instance contributed anything.
  std::string text;
  std::size_t instances = 0;  // instances whose data was accepted
  std::size_t series = 0;     // sample lines in `text`
  // Accepted instance id -> sample lines it contributed to `text` (0 when none survived).
  std::map<std::string, std::size_t> instance_series;
  // Reason -> instances or families dropped for it; the reasons form a small fixed set
  // (e.g. "metric_name", "value", "type_conflict") so they can be used as a metric label.
  std::map<std::string, std::uint64_t> errors;
};

// Validates the snapshots of one service's instances and renders the union of their series,
// each labelled instance_id="<id>", with one HELP/TYPE per family. A pure function: the
// output depends only on the set of snapshots, never on their order, so every aggregator
// replica renders byte-identical text from the same Redis data. Counters are never summed
// across instances (a vanished instance would make the sum go backwards); totals belong in
// PromQL.
MergeResult MergeSnapshots(const std::vector<v1::MetricsSnapshot>& snapshots,
                           const MergeLimits& limits = {});

// Building blocks, public for tests.
bool IsValidMetricName(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*, no leading "__"
bool IsValidLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidUtf8(std::string_view text);
// Shortest text that reads back as the same double; NaN, +Inf and -Inf as Prometheus spells them.
std::string FormatValue(double value);
// Escapes backslash, double quote and newline for a label value.
std::string EscapeLabelValue(std::string_view value);

}  // namespace throng::aggregator

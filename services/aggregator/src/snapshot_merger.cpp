#include "snapshot_merger.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

#include "throng/common/snapshot_codec.hpp"

namespace throng::aggregator {

namespace {

using LabelList = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct Series {
  const std::string* instance_id;
  LabelList labels;  // sorted by name, instance_id included
  const v1::Sample* sample;
};

// One instance's family after validation.
struct AcceptedFamily {
  const v1::MetricFamily* family;
  std::string help;
  std::vector<Series> series;
  std::size_t lines = 0;
};

struct MergedFamily {
  v1::MetricType type = v1::METRIC_TYPE_UNSPECIFIED;
  std::string help;
  std::vector<Series> series;
  std::size_t contributors = 0;
};

bool IsNameChar(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (colon_allowed && c == ':');
}

bool IsNameStart(char c, bool colon_allowed) {
  return IsNameChar(c, colon_allowed) && !(c >= '0' && c <= '9');
}

// Labels Prometheus or our own merge attach meaning to; data from Redis must not carry them.
bool IsReservedLabel(const std::string& name) {
  return name == "instance_id" || name == "le" || name == "quantile" || name == "instance" ||
         name == "job" || name.rfind("__", 0) == 0;
}

// HELP text escapes backslash and line feed (prometheus-cpp 1.0.1 does not, so this is ours
// to get right): the text reads back exactly as the publisher wrote it.
std::string EscapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const char* TypeName(v1::MetricType type) {
  switch (type) {
    case v1::METRIC_TYPE_COUNTER:
      return "counter";
    case v1::METRIC_TYPE_GAUGE:
      return "gauge";
    case v1::METRIC_TYPE_HISTOGRAM:
      return "histogram";
    default:
      return "untyped";
  }
}

// Checks a histogram sample's invariants; counts bucket lines into `lines`.
const char* CheckHistogram(const v1::Sample& sample, const MergeLimits& limits) {
  if (static_cast<std::size_t>(sample.bucket_bounds_size()) > limits.max_buckets) return "size";
  if (sample.bucket_cumulative_size() != sample.bucket_bounds_size() + 1) return "histogram";
  for (int i = 0; i < sample.bucket_bounds_size(); ++i) {
    double bound = sample.bucket_bounds(i);
    if (!std::isfinite(bound)) return "histogram";
    if (i > 0 && !(bound > sample.bucket_bounds(i - 1))) return "histogram";
  }
  for (int i = 1; i < sample.bucket_cumulative_size(); ++i) {
    if (sample.bucket_cumulative(i) < sample.bucket_cumulative(i - 1)) return "histogram";
  }
  if (sample.bucket_cumulative(sample.bucket_cumulative_size() - 1) != sample.sample_count()) {
    return "histogram";
  }
  if (!std::isfinite(sample.sample_sum())) return "value";
  return nullptr;
}

const char* CheckValue(v1::MetricType type, const v1::Sample& sample, const MergeLimits& limits) {
  switch (type) {
    case v1::METRIC_TYPE_COUNTER:
      return std::isfinite(sample.value()) && sample.value() >= 0 ? nullptr : "value";
    case v1::METRIC_TYPE_GAUGE:
      // NaN is a legitimate "unknown" for a gauge; infinities are not.
      return std::isinf(sample.value()) ? "value" : nullptr;
    case v1::METRIC_TYPE_HISTOGRAM:
      return CheckHistogram(sample, limits);
    default:
      return "metric_type";
  }
}

// Validates one family of one instance. Returns the reason on failure (nullptr on success).
const char* AcceptFamily(const v1::MetricFamily& family, const std::string& instance_id,
                         const MergeLimits& limits, AcceptedFamily& out) {
  if (family.name().size() > limits.max_name_bytes || !IsValidMetricName(family.name())) {
    return "metric_name";
  }
  auto type = family.type();
  if (type != v1::METRIC_TYPE_COUNTER && type != v1::METRIC_TYPE_GAUGE &&
      type != v1::METRIC_TYPE_HISTOGRAM) {
    return "metric_type";
  }
  if (!IsValidUtf8(family.help())) return "utf8";
  if (family.help().size() > limits.max_help_bytes) return "size";

  out.family = &family;
  out.help = EscapeHelp(family.help());
  std::set<LabelList> seen;
  for (const auto& sample : family.samples()) {
    if (static_cast<std::size_t>(sample.labels_size()) > limits.max_labels) return "size";
    LabelList labels;
    for (const auto& label : sample.labels()) {
      if (label.name().size() > limits.max_name_bytes || !IsValidLabelName(label.name())) {
        return "label_name";
      }
      if (IsReservedLabel(label.name())) return "reserved_label";
      if (!IsValidUtf8(label.value())) return "utf8";
      if (label.value().size() > limits.max_label_value_bytes) return "size";
      labels.emplace_back(label.name(), label.value());
    }
    std::sort(labels.begin(), labels.end());
    for (std::size_t i = 1; i < labels.size(); ++i) {
      if (labels[i].first == labels[i - 1].first) return "label_name";
    }
    if (!seen.insert(labels).second) return "duplicate_series";
    if (const char* reason = CheckValue(type, sample, limits)) return reason;

    std::pair<std::string, std::string> id{"instance_id", instance_id};
    labels.insert(std::upper_bound(labels.begin(), labels.end(), id), std::move(id));
    out.series.push_back(Series{&instance_id, std::move(labels), &sample});
    out.lines += type == v1::METRIC_TYPE_HISTOGRAM ? sample.bucket_bounds_size() + 3 : 1;
  }
  return nullptr;
}

const char* CheckInstance(const v1::MetricsSnapshot& snapshot, const MergeLimits& limits) {
  if (snapshot.schema_version() != kSnapshotSchemaVersion) return "schema_version";
  const auto& id = snapshot.instance_id();
  if (id.empty() || id.size() > limits.max_label_value_bytes || !IsValidUtf8(id)) {
    return "instance_id";
  }
  return nullptr;
}

// Snapshot order for the merge: by instance id, and for the (abnormal) case of two snapshots
// of one instance, the newest first, so that the input order never matters.
bool SnapshotBefore(const v1::MetricsSnapshot* a, const v1::MetricsSnapshot* b) {
  if (a->instance_id() != b->instance_id()) return a->instance_id() < b->instance_id();
  if (a->published_ms() != b->published_ms()) return a->published_ms() > b->published_ms();
  if (a->seq() != b->seq()) return a->seq() > b->seq();
  return a->SerializeAsString() < b->SerializeAsString();
}

void AppendLabels(std::string& out, const LabelList& labels, const std::string* le) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  if (le) {
    out += first ? "le=\"" : ",le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void AppendLine(std::string& out, const std::string& name, const char* suffix,
                const LabelList& labels, const std::string* le, const std::string& value) {
  out += name;
  out += suffix;
  AppendLabels(out, labels, le);
  out += ' ';
  out += value;
  out += '\n';
}

// Appends one family; counts each instance's sample lines into `instance_series`.
std::size_t Render(const std::string& name, const MergedFamily& family, std::string& out,
                   std::map<std::string, std::size_t>& instance_series) {
  out += "# HELP ";
  out += name;
  out += ' ';
  // promtool flags a family without help text; say so rather than leave it blank.
  out += family.help.empty() ? std::string("(no help text)") : family.help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += TypeName(family.type);
  out += '\n';
  std::size_t lines = 0;
  for (const auto& series : family.series) {
    const auto& sample = *series.sample;
    std::size_t added = 1;
    if (family.type != v1::METRIC_TYPE_HISTOGRAM) {
      AppendLine(out, name, "", series.labels, nullptr, FormatValue(sample.value()));
    } else {
      for (int i = 0; i < sample.bucket_cumulative_size(); ++i) {
        std::string le = i < sample.bucket_bounds_size() ? FormatValue(sample.bucket_bounds(i))
                                                         : std::string("+Inf");
        AppendLine(out, name, "_bucket", series.labels, &le,
                   std::to_string(sample.bucket_cumulative(i)));
      }
      AppendLine(out, name, "_sum", series.labels, nullptr, FormatValue(sample.sample_sum()));
      AppendLine(out, name, "_count", series.labels, nullptr,
                 std::to_string(sample.sample_count()));
      added = sample.bucket_cumulative_size() + 2;
    }
    instance_series[*series.instance_id] += added;
    lines += added;
  }
  return lines;
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0], true)) return false;
  if (name.rfind("__", 0) == 0) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c, true); });
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0], false)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c, false); });
}

bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Reject overlong forms, UTF-16 surrogates and code points beyond Unicode.
    static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc()) return "NaN";  // cannot happen with this buffer size
  return std::string(buffer, end);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

MergeResult MergeSnapshots(const std::vector<v1::MetricsSnapshot>& snapshots,
                           const MergeLimits& limits) {
  MergeResult result;
  std::vector<const v1::MetricsSnapshot*> order;
  order.reserve(snapshots.size());
  for (const auto& snapshot : snapshots) order.push_back(&snapshot);
  std::sort(order.begin(), order.end(), SnapshotBefore);

  std::map<std::string, MergedFamily> merged;
  const std::string* previous_id = nullptr;
  for (const auto* snapshot : order) {
    const auto& id = snapshot->instance_id();
    bool duplicate = previous_id && *previous_id == id;
    previous_id = &id;
    if (duplicate) {
      ++result.errors["duplicate_instance"];
      continue;
    }
    if (const char* reason = CheckInstance(*snapshot, limits)) {
      ++result.errors[reason];
      continue;
    }
    if (result.instances >= limits.max_instances) {
      ++result.errors["too_many_instances"];
      continue;
    }

    std::vector<AcceptedFamily> accepted;
    std::set<std::string> names;
    std::size_t lines = 0;
    for (const auto& family : snapshot->families()) {
      if (!names.insert(family.name()).second) {
        ++result.errors["duplicate_family"];
        continue;
      }
      AcceptedFamily candidate;
      if (const char* reason = AcceptFamily(family, id, limits, candidate)) {
        ++result.errors[reason];
        continue;
      }
      lines += candidate.lines;
      accepted.push_back(std::move(candidate));
    }
    if (lines > limits.max_series_per_instance) {
      ++result.errors["too_many_series"];
      continue;
    }
    ++result.instances;
    result.instance_series[id];  // listed even when none of its families survive

    // TYPE comes from the first instance (in id order) that has the family, HELP from the
    // first that has a non-empty one.
    for (auto& family : accepted) {
      auto [it, inserted] = merged.try_emplace(family.family->name());
      auto& target = it->second;
      if (inserted) {
        target.type = family.family->type();
        target.help = std::move(family.help);
      } else if (target.type != family.family->type()) {
        ++result.errors["type_conflict"];
        continue;
      } else if (target.help.empty()) {
        target.help = std::move(family.help);
      }
      ++target.contributors;
      std::move(family.series.begin(), family.series.end(), std::back_inserter(target.series));
    }
  }

  // A histogram "x" owns the names x_bucket, x_sum and x_count; a family of that name would
  // produce clashing series, so it goes.
  std::vector<std::string> histograms;
  for (const auto& [name, family] : merged) {
    if (family.type == v1::METRIC_TYPE_HISTOGRAM) histograms.push_back(name);
  }
  for (const auto& name : histograms) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      auto clash = merged.find(name + suffix);
      if (clash == merged.end()) continue;
      result.errors["name_collision"] += clash->second.contributors;
      merged.erase(clash);
    }
  }

  for (auto& [name, family] : merged) {
    if (family.series.empty()) continue;
    std::sort(family.series.begin(), family.series.end(), [](const Series& a, const Series& b) {
      if (*a.instance_id != *b.instance_id) return *a.instance_id < *b.instance_id;
      return a.labels < b.labels;
    });
    result.series += Render(name, family, result.text, result.instance_series);
  }
  return result;
}

}  // namespace throng::aggregator

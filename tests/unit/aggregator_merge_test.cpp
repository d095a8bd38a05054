// MergeSnapshots: the pure merge behind /metrics/<service> (SPEC A2, A3).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "snapshot_merger.hpp"
#include "throng/common/snapshot_codec.hpp"

namespace throng::aggregator {
namespace {

v1::MetricsSnapshot Snapshot(const std::string& instance_id) {
  v1::MetricsSnapshot snapshot;
  snapshot.set_schema_version(kSnapshotSchemaVersion);
  snapshot.set_service("router");
  snapshot.set_instance_id(instance_id);
  snapshot.set_seq(1);
  return snapshot;
}

v1::MetricFamily* AddFamily(v1::MetricsSnapshot& snapshot, const std::string& name,
                            v1::MetricType type, const std::string& help = "Some help") {
  auto* family = snapshot.add_families();
  family->set_name(name);
  family->set_type(type);
  family->set_help(help);
  return family;
}

v1::Sample* AddSample(v1::MetricFamily* family, double value,
                      const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  auto* sample = family->add_samples();
  sample->set_value(value);
  for (const auto& [name, label_value] : labels) {
    auto* label = sample->add_labels();
    label->set_name(name);
    label->set_value(label_value);
  }
  return sample;
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

TEST(AggregatorMerge, SameCounterOnTwoInstancesGivesTwoSeriesAndOneHelpType) {
  auto a = Snapshot("router-a");
  AddSample(AddFamily(a, "throng_router_requests_total", v1::METRIC_TYPE_COUNTER), 3,
            {{"route", "ws"}});
  auto b = Snapshot("router-b");
  AddSample(AddFamily(b, "throng_router_requests_total", v1::METRIC_TYPE_COUNTER), 5,
            {{"route", "ws"}});

  auto result = MergeSnapshots({a, b});
  EXPECT_EQ(result.text,
            "# HELP throng_router_requests_total Some help\n"
            "# TYPE throng_router_requests_total counter\n"
            "throng_router_requests_total{instance_id=\"router-a\",route=\"ws\"} 3\n"
            "throng_router_requests_total{instance_id=\"router-b\",route=\"ws\"} 5\n");
  EXPECT_EQ(result.instances, 2u);
  EXPECT_EQ(result.series, 2u);
  EXPECT_TRUE(result.errors.empty());
}

TEST(AggregatorMerge, MetricMissingOnOneInstanceJustHasNoSeriesThere) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "only_on_a", v1::METRIC_TYPE_GAUGE), 1);
  auto b = Snapshot("b");
  AddSample(AddFamily(b, "on_both", v1::METRIC_TYPE_GAUGE), 2);
  AddSample(AddFamily(a, "on_both", v1::METRIC_TYPE_GAUGE), 4);

  auto result = MergeSnapshots({a, b});
  EXPECT_EQ(result.text,
            "# HELP on_both Some help\n"
            "# TYPE on_both gauge\n"
            "on_both{instance_id=\"a\"} 4\n"
            "on_both{instance_id=\"b\"} 2\n"
            "# HELP only_on_a Some help\n"
            "# TYPE only_on_a gauge\n"
            "only_on_a{instance_id=\"a\"} 1\n");
}

TEST(AggregatorMerge, HistogramRendersCumulativeBucketsInfSumAndCount) {
  auto a = Snapshot("a");
  auto* sample =
      AddSample(AddFamily(a, "latency_seconds", v1::METRIC_TYPE_HISTOGRAM), 0, {{"method", "get"}});
  for (double bound : {0.1, 0.5, 1.0}) sample->add_bucket_bounds(bound);
  for (std::uint64_t cumulative : {1u, 3u, 3u, 4u}) sample->add_bucket_cumulative(cumulative);
  sample->set_sample_count(4);
  sample->set_sample_sum(2.75);

  auto result = MergeSnapshots({a});
  EXPECT_EQ(result.text,
            "# HELP latency_seconds Some help\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{instance_id=\"a\",method=\"get\",le=\"0.1\"} 1\n"
            "latency_seconds_bucket{instance_id=\"a\",method=\"get\",le=\"0.5\"} 3\n"
            "latency_seconds_bucket{instance_id=\"a\",method=\"get\",le=\"1\"} 3\n"
            "latency_seconds_bucket{instance_id=\"a\",method=\"get\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{instance_id=\"a\",method=\"get\"} 2.75\n"
            "latency_seconds_count{instance_id=\"a\",method=\"get\"} 4\n");
  EXPECT_EQ(result.series, 6u);
  EXPECT_TRUE(result.errors.empty());
}

TEST(AggregatorMerge, BrokenHistogramInvariantsAreRejected) {
  auto a = Snapshot("a");
  auto* decreasing = AddSample(AddFamily(a, "decreasing", v1::METRIC_TYPE_HISTOGRAM), 0);
  decreasing->add_bucket_bounds(1);
  decreasing->add_bucket_cumulative(5);
  decreasing->add_bucket_cumulative(4);
  decreasing->set_sample_count(4);
  auto* wrong_count = AddSample(AddFamily(a, "wrong_count", v1::METRIC_TYPE_HISTOGRAM), 0);
  wrong_count->add_bucket_bounds(1);
  wrong_count->add_bucket_cumulative(1);
  wrong_count->add_bucket_cumulative(2);
  wrong_count->set_sample_count(3);
  auto* missing_inf = AddSample(AddFamily(a, "missing_inf", v1::METRIC_TYPE_HISTOGRAM), 0);
  missing_inf->add_bucket_bounds(1);
  missing_inf->add_bucket_cumulative(1);
  missing_inf->set_sample_count(1);

  auto result = MergeSnapshots({a});
  EXPECT_EQ(result.text, "");
  EXPECT_EQ(result.errors["histogram"], 3u);
  EXPECT_EQ(result.instances, 1u);  // the instance stays; only its bad families go
}

TEST(AggregatorMerge, InvalidNamesAndNonFiniteValuesAreRejectedAndCounted) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "good_total", v1::METRIC_TYPE_COUNTER), 1);
  AddSample(AddFamily(a, "bad-name", v1::METRIC_TYPE_COUNTER), 1);
  AddSample(AddFamily(a, "9starts_with_digit", v1::METRIC_TYPE_GAUGE), 1);
  AddSample(AddFamily(a, "infinite", v1::METRIC_TYPE_GAUGE),
            std::numeric_limits<double>::infinity());
  AddSample(AddFamily(a, "nan_counter_total", v1::METRIC_TYPE_COUNTER),
            std::numeric_limits<double>::quiet_NaN());
  AddSample(AddFamily(a, "negative_total", v1::METRIC_TYPE_COUNTER), -1);
  AddSample(AddFamily(a, "bad_label", v1::METRIC_TYPE_GAUGE), 1, {{"bad-label", "x"}});
  AddSample(AddFamily(a, "reserved_le", v1::METRIC_TYPE_GAUGE), 1, {{"le", "1"}});
  AddSample(AddFamily(a, "reserved_id", v1::METRIC_TYPE_GAUGE), 1, {{"instance_id", "x"}});
  AddSample(AddFamily(a, "bad_utf8", v1::METRIC_TYPE_GAUGE), 1, {{"path", "\xc3\x28"}});
  AddSample(AddFamily(a, "untyped", v1::METRIC_TYPE_UNSPECIFIED), 1);

  auto result = MergeSnapshots({a});
  EXPECT_EQ(result.text,
            "# HELP good_total Some help\n"
            "# TYPE good_total counter\n"
            "good_total{instance_id=\"a\"} 1\n");
  EXPECT_EQ(result.errors["metric_name"], 2u);
  EXPECT_EQ(result.errors["value"], 3u);
  EXPECT_EQ(result.errors["label_name"], 1u);
  EXPECT_EQ(result.errors["reserved_label"], 2u);
  EXPECT_EQ(result.errors["utf8"], 1u);
  EXPECT_EQ(result.errors["metric_type"], 1u);
}

TEST(AggregatorMerge, NanGaugeIsAllowedAndSpelledForPrometheus) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "maybe_unknown", v1::METRIC_TYPE_GAUGE),
            std::numeric_limits<double>::quiet_NaN());
  auto result = MergeSnapshots({a});
  EXPECT_NE(result.text.find("maybe_unknown{instance_id=\"a\"} NaN\n"), std::string::npos);
  EXPECT_TRUE(result.errors.empty());
}

TEST(AggregatorMerge, BadInstanceIsSkippedWhole) {
  auto old_schema = Snapshot("old");
  old_schema.set_schema_version(99);
  AddSample(AddFamily(old_schema, "x", v1::METRIC_TYPE_GAUGE), 1);
  auto no_id = Snapshot("");
  AddSample(AddFamily(no_id, "x", v1::METRIC_TYPE_GAUGE), 1);
  auto good = Snapshot("good");
  AddSample(AddFamily(good, "x", v1::METRIC_TYPE_GAUGE), 1);

  auto result = MergeSnapshots({old_schema, no_id, good});
  EXPECT_EQ(result.instances, 1u);
  EXPECT_EQ(result.errors["schema_version"], 1u);
  EXPECT_EQ(result.errors["instance_id"], 1u);
  EXPECT_EQ(Count(result.text, "instance_id="), 1u);
}

TEST(AggregatorMerge, TypeConflictKeepsTheFirstInstancesTypeAndCountsTheOther) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "requests", v1::METRIC_TYPE_COUNTER, "From a"), 1);
  auto b = Snapshot("b");
  AddSample(AddFamily(b, "requests", v1::METRIC_TYPE_GAUGE, "From b"), 2);
  AddSample(AddFamily(b, "other", v1::METRIC_TYPE_GAUGE), 7);

  for (const auto& input : {std::vector{a, b}, std::vector{b, a}}) {
    auto result = MergeSnapshots(input);
    EXPECT_EQ(Count(result.text, "# TYPE requests "), 1u);
    EXPECT_NE(result.text.find("# HELP requests From a\n# TYPE requests counter\n"),
              std::string::npos);
    EXPECT_NE(result.text.find("requests{instance_id=\"a\"} 1\n"), std::string::npos);
    EXPECT_EQ(result.text.find("requests{instance_id=\"b\"}"), std::string::npos);
    // Only the conflicting family of b is dropped, not the instance.
    EXPECT_NE(result.text.find("other{instance_id=\"b\"} 7\n"), std::string::npos);
    EXPECT_EQ(result.errors["type_conflict"], 1u);
    EXPECT_EQ(result.instances, 2u);
  }
}

TEST(AggregatorMerge, OutputIsDeterministicRegardlessOfInputOrder) {
  std::vector<v1::MetricsSnapshot> snapshots;
  for (const char* id : {"c", "a", "b"}) {
    auto snapshot = Snapshot(id);
    auto* zeta = AddFamily(snapshot, "zeta_total", v1::METRIC_TYPE_COUNTER);
    AddSample(zeta, 2, {{"kind", "y"}});
    AddSample(zeta, 1, {{"kind", "x"}});
    AddSample(AddFamily(snapshot, "alpha", v1::METRIC_TYPE_GAUGE), 3, {{"b", "1"}, {"a", "2"}});
    snapshots.push_back(snapshot);
  }
  auto expected = MergeSnapshots(snapshots).text;
  std::sort(snapshots.begin(), snapshots.end(),
            [](const auto& x, const auto& y) { return x.instance_id() < y.instance_id(); });
  do {
    EXPECT_EQ(MergeSnapshots(snapshots).text, expected);
  } while (std::next_permutation(
      snapshots.begin(), snapshots.end(),
      [](const auto& x, const auto& y) { return x.instance_id() < y.instance_id(); }));
  // Families by name, series by instance then labels, label names sorted.
  EXPECT_LT(expected.find("# TYPE alpha"), expected.find("# TYPE zeta_total"));
  EXPECT_NE(expected.find("alpha{a=\"2\",b=\"1\",instance_id=\"a\"} 3\n"
                          "alpha{a=\"2\",b=\"1\",instance_id=\"b\"} 3\n"),
            std::string::npos);
  EXPECT_NE(expected.find("zeta_total{instance_id=\"a\",kind=\"x\"} 1\n"
                          "zeta_total{instance_id=\"a\",kind=\"y\"} 2\n"
                          "zeta_total{instance_id=\"b\",kind=\"x\"} 1\n"),
            std::string::npos);
}

TEST(AggregatorMerge, DuplicateInstanceKeepsTheNewestSnapshot) {
  auto older = Snapshot("a");
  older.set_published_ms(1000);
  AddSample(AddFamily(older, "x", v1::METRIC_TYPE_GAUGE), 1);
  auto newer = Snapshot("a");
  newer.set_published_ms(2000);
  AddSample(AddFamily(newer, "x", v1::METRIC_TYPE_GAUGE), 2);
  for (const auto& input : {std::vector{older, newer}, std::vector{newer, older}}) {
    auto result = MergeSnapshots(input);
    EXPECT_NE(result.text.find("x{instance_id=\"a\"} 2\n"), std::string::npos);
    EXPECT_EQ(result.errors["duplicate_instance"], 1u);
  }
}

TEST(AggregatorMerge, LabelValuesAndHelpAreEscaped) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "escaped", v1::METRIC_TYPE_GAUGE, "Line one\nline \\two"), 1,
            {{"path", "C:\\dir \"quoted\"\nnext"}});
  auto result = MergeSnapshots({a});
  EXPECT_EQ(result.text,
            "# HELP escaped Line one\\nline \\\\two\n"
            "# TYPE escaped gauge\n"
            "escaped{instance_id=\"a\",path=\"C:\\\\dir \\\"quoted\\\"\\nnext\"} 1\n");
}

TEST(AggregatorMerge, SeriesAreCountedPerInstance) {
  auto a = Snapshot("a");
  auto* histogram = AddSample(AddFamily(a, "h_seconds", v1::METRIC_TYPE_HISTOGRAM), 0);
  histogram->add_bucket_bounds(1);
  histogram->add_bucket_cumulative(1);
  histogram->add_bucket_cumulative(1);
  histogram->set_sample_count(1);
  AddSample(AddFamily(a, "g", v1::METRIC_TYPE_GAUGE), 1);
  auto b = Snapshot("b");
  AddSample(AddFamily(b, "bad-name", v1::METRIC_TYPE_GAUGE), 1);

  auto result = MergeSnapshots({a, b});
  EXPECT_EQ(result.instance_series, (std::map<std::string, std::size_t>{{"a", 5}, {"b", 0}}));
  EXPECT_EQ(result.series, 5u);
}

TEST(AggregatorMerge, HelpComesFromTheFirstInstanceThatHasOne) {
  auto a = Snapshot("a");
  AddSample(AddFamily(a, "x", v1::METRIC_TYPE_GAUGE, ""), 1);
  AddSample(AddFamily(a, "y", v1::METRIC_TYPE_GAUGE, ""), 1);
  auto b = Snapshot("b");
  AddSample(AddFamily(b, "x", v1::METRIC_TYPE_GAUGE, "Help of b"), 2);
  auto result = MergeSnapshots({a, b});
  EXPECT_NE(result.text.find("# HELP x Help of b\n"), std::string::npos);
  EXPECT_NE(result.text.find("# HELP y (no help text)\n"), std::string::npos);
}

TEST(AggregatorMerge, DuplicateSeriesAndSizeCapsAreEnforced) {
  auto a = Snapshot("a");
  auto* dup = AddFamily(a, "dup", v1::METRIC_TYPE_GAUGE);
  AddSample(dup, 1, {{"k", "v"}});
  AddSample(dup, 2, {{"k", "v"}});
  AddSample(AddFamily(a, "long_value", v1::METRIC_TYPE_GAUGE), 1, {{"k", std::string(300, 'x')}});
  auto result = MergeSnapshots({a});
  EXPECT_EQ(result.errors["duplicate_series"], 1u);
  EXPECT_EQ(result.errors["size"], 1u);

  MergeLimits limits;
  limits.max_series_per_instance = 2;
  limits.max_instances = 1;
  auto big = Snapshot("big");
  auto* many = AddFamily(big, "many", v1::METRIC_TYPE_GAUGE);
  for (int i = 0; i < 3; ++i) AddSample(many, i, {{"i", std::to_string(i)}});
  auto small_b = Snapshot("small-b");
  AddSample(AddFamily(small_b, "one", v1::METRIC_TYPE_GAUGE), 1);
  auto small_c = Snapshot("small-c");
  AddSample(AddFamily(small_c, "one", v1::METRIC_TYPE_GAUGE), 1);
  auto capped = MergeSnapshots({big, small_b, small_c}, limits);
  EXPECT_EQ(capped.errors["too_many_series"], 1u);
  EXPECT_EQ(capped.errors["too_many_instances"], 1u);
  EXPECT_EQ(capped.instances, 1u);
  EXPECT_NE(capped.text.find("one{instance_id=\"small-b\"} 1\n"), std::string::npos);
}

TEST(AggregatorMerge, FamilyClashingWithHistogramSeriesIsDropped) {
  auto a = Snapshot("a");
  auto* sample = AddSample(AddFamily(a, "size_bytes", v1::METRIC_TYPE_HISTOGRAM), 0);
  sample->add_bucket_cumulative(2);
  sample->set_sample_count(2);
  sample->set_sample_sum(10);
  auto b = Snapshot("b");
  AddSample(AddFamily(b, "size_bytes_count", v1::METRIC_TYPE_COUNTER), 5);
  auto result = MergeSnapshots({a, b});
  EXPECT_EQ(result.errors["name_collision"], 1u);
  EXPECT_EQ(result.text.find("# TYPE size_bytes_count"), std::string::npos);
  EXPECT_NE(result.text.find("size_bytes_bucket{instance_id=\"a\",le=\"+Inf\"} 2\n"),
            std::string::npos);
}

TEST(AggregatorMerge, NoSnapshotsGiveAnEmptyExposition) {
  auto result = MergeSnapshots({});
  EXPECT_EQ(result.text, "");
  EXPECT_EQ(result.instances, 0u);
}

TEST(AggregatorFormat, ValuesReadBackExactly) {
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(3), "3");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  for (double value : {1e300, 5e-324, 123456.789, -0.25, 1.0 / 3}) {
    // strtod, not stod: stod throws on the subnormal 5e-324.
    EXPECT_EQ(std::strtod(FormatValue(value).c_str(), nullptr), value);
  }
}

TEST(AggregatorFormat, NamesAndUtf8) {
  EXPECT_TRUE(IsValidMetricName("throng:router_requests_total"));
  EXPECT_FALSE(IsValidMetricName("__reserved"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("_x1"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidUtf8("plain, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

}  // namespace
}  // namespace throng::aggregator

// The aggregator's failure table (SPEC A2, A3) against a private redis-server: every row
// asserts that /metrics/<service> answers 200 with text `promtool check metrics` accepts, and
// what the row is about. One line per row is printed when the row ends.
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aggregator_app.hpp"
#include "child_process.hpp"
#include "eventually.hpp"
#include "promtool.hpp"
#include "redis_server.hpp"
#include "router_clients.hpp"
#include "throng/common/metrics_publisher.hpp"
#include "throng/common/redis_client.hpp"
#include "throng/common/service_metrics.hpp"
#include "throng/common/snapshot_codec.hpp"
#include "unique_temp_path.hpp"

namespace throng::aggregator {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::HttpClient;

constexpr auto kPublishInterval = 400ms;  // snapshots expire after 1.6 s
const std::vector<std::string> kServices = {"router", "operator", "aggregator"};

// The value on the line `series` (name and labels exactly as printed), if there is one.
std::optional<double> Value(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Lines of `text` that mention `needle`, in order.
std::string LinesWith(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (Has(line, needle)) out += line + "\n";
  }
  return out;
}

std::string DecodeErrors(const std::string& service, const std::string& reason) {
  return "throng_aggregator_decode_errors_total{reason=\"" + reason + "\",service=\"" + service +
         "\"}";
}

// Adds a family with one sample to a crafted snapshot; returns the sample.
v1::Sample* AddSample(v1::MetricsSnapshot& snapshot, const std::string& name, v1::MetricType type) {
  auto* family = snapshot.add_families();
  family->set_name(name);
  family->set_help("Help");
  family->set_type(type);
  return family->add_samples();
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// A process's metrics and its real publisher, with the metrics the rows look at.
struct Instance {
  std::shared_ptr<ServiceMetrics> metrics = std::make_shared<ServiceMetrics>("test");
  std::unique_ptr<MetricsPublisher> publisher;

  double PublishFailures() {
    for (const auto& family : metrics->Registry().Collect()) {
      if (family.name == "throng_metrics_publish_failures_total") {
        return family.metric.at(0).counter.value;
      }
    }
    return -1;
  }
};

class AggregatorFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    row_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_TRUE(testing::PromtoolInstalled())
        << "promtool not found: install the Debian package 'prometheus' (sudo apt-get install "
           "prometheus); every row checks its exposition with `promtool check metrics`";
    redis_ = std::make_unique<testing::RedisServer>();
    writer_ = std::make_unique<RedisClient>(redis_->Url(), 1s);
    config_.listen_address = "127.0.0.1";
    config_.port = 0;
    config_.redis_url = redis_->Url();
    config_.metrics_prefix = prefix_;
    config_.refresh_interval = 50ms;
    config_.metrics_interval = kPublishInterval;
    config_.instance_id = "aggregator-under-test";
  }

  void TearDown() override {
    instances_.clear();
    app_.reset();
    std::printf("failure table | %-58s | %s\n", row_.c_str(),
                HasFailure() ? "FAILED" : "200, promtool check metrics ok");
    std::fflush(stdout);
  }

  void StartAggregator() {
    app_ = std::make_unique<AggregatorApp>(config_, DefaultClock());
    auto started = app_->Start();
    ASSERT_TRUE(started) << started.error().message;
    ASSERT_TRUE(Eventually([&] { return Own().find("throng_aggregator_redis_up 1") != npos; }));
  }

  // A real publisher for `service`/`id` whose counter stands at `jobs`.
  Instance& StartInstance(const std::string& service, const std::string& id, double jobs,
                          bool with_histogram = false) {
    auto instance = std::make_unique<Instance>();
    auto& registry = instance->metrics->Registry();
    prometheus::BuildCounter()
        .Name("throng_test_jobs_total")
        .Help("Jobs done")
        .Register(registry)
        .Add({{"kind", "static"}})
        .Increment(jobs);
    prometheus::BuildGauge()
        .Name("throng_test_queue_depth")
        .Help("Jobs waiting")
        .Register(registry)
        .Add({})
        .Set(3);
    if (with_histogram) {
      prometheus::BuildHistogram()
          .Name("throng_test_job_duration_seconds")
          .Help("Time per job")
          .Register(registry)
          .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 1})
          .Observe(0.5);
    }
    MetricsPublisherOptions options;
    options.redis_url = redis_->Url();
    options.key_prefix = prefix_;
    options.service = service;
    options.instance_id = id;
    options.interval = kPublishInterval;
    instance->publisher = std::make_unique<MetricsPublisher>(options, instance->metrics);
    instance->publisher->Start();
    instances_.push_back(std::move(instance));
    return *instances_.back();
  }

  v1::MetricsSnapshot Crafted(const std::string& service, const std::string& id) {
    v1::MetricsSnapshot snapshot;
    snapshot.set_schema_version(kSnapshotSchemaVersion);
    snapshot.set_service(service);
    snapshot.set_instance_id(id);
    snapshot.set_boot_id("crafted");
    snapshot.set_seq(1);
    snapshot.set_published_ms(DefaultClock().NowMillis());
    snapshot.set_interval_ms(kPublishInterval.count());
    return snapshot;
  }

  // Writes `bytes` as instance `id`'s snapshot and lists it in the index, as a publisher would.
  void Put(const std::string& service, const std::string& id, const std::string& bytes,
           std::chrono::milliseconds ttl = 60s) {
    ASSERT_TRUE(writer_->Command({"SET", MetricsPublisher::SnapshotKey(prefix_, service, id), bytes,
                                  "PX", std::to_string(ttl.count())}));
    Index(service, id);
  }
  void Put(const v1::MetricsSnapshot& snapshot, std::chrono::milliseconds ttl = 60s) {
    Put(snapshot.service(), snapshot.instance_id(), snapshot.SerializeAsString(), ttl);
  }
  void Index(const std::string& service, const std::string& id) {
    ASSERT_TRUE(writer_->Command({"ZADD", MetricsPublisher::IndexKey(prefix_, service),
                                  std::to_string(DefaultClock().NowMillis()), id}));
  }

  testing::HttpReply Get(const std::string& path) {
    return HttpClient::Once(app_->Port(), boost::beast::http::verb::get, path);
  }
  std::string Body(const std::string& path) { return Get(path).body; }
  std::string Own() { return Body("/metrics"); }
  double OwnValue(const std::string& series) { return Value(Own(), series).value_or(-1); }

  // GET `path`: expects 200 and, for metrics, text promtool accepts. Returns the body.
  std::string Valid(const std::string& path) {
    auto reply = Get(path);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    if (path.rfind("/metrics", 0) == 0) {
      auto problems = testing::PromtoolProblems(reply.body);
      EXPECT_EQ(problems, "") << "promtool rejects " << path << ":\n" << reply.body;
    }
    return reply.body;
  }
  // Every endpoint answers: each service, the aggregator's own metrics, the index page.
  void AllValid() {
    for (const auto& service : kServices) Valid("/metrics/" + service);
    Valid("/metrics");
    EXPECT_TRUE(Has(Valid("/"), "/metrics/router"));
    EXPECT_FALSE(nlohmann::json::parse(Valid("/?format=json"), nullptr, false).is_discarded());
  }
  bool Serves(const std::string& service, const std::string& id) {
    return Has(Body("/metrics/" + service), "instance_id=\"" + id + "\"");
  }
  nlohmann::json IndexInstance(const std::string& service, const std::string& id) {
    auto index = nlohmann::json::parse(Body("/?format=json"), nullptr, false);
    if (index.is_discarded()) return nullptr;
    for (const auto& entry : index["services"]) {
      if (entry["service"] != service) continue;
      for (const auto& instance : entry["instances"]) {
        if (instance["instance_id"] == id) return instance;
      }
    }
    return nullptr;
  }

  static constexpr auto npos = std::string::npos;
  std::string row_;  // this row of the table, as printed
  std::string prefix_ = "t" + std::to_string(::getpid());
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<RedisClient> writer_;
  AggregatorConfig config_;
  std::unique_ptr<AggregatorApp> app_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

TEST_F(AggregatorFailures, EmptyClusterServesEmptyExpositions) {
  row_ = "no instance at all";
  StartAggregator();
  EXPECT_EQ(Valid("/metrics/router"), "");
  EXPECT_EQ(Valid("/metrics/operator"), "");
  AllValid();
}

TEST_F(AggregatorFailures, MetricPresentOnOneInstanceOnly) {
  row_ = "metric present on one instance only";
  StartAggregator();
  StartInstance("router", "router-a", 7, /*with_histogram=*/true);
  auto& b = StartInstance("router", "router-b", 5);
  // router-b lacks the histogram and has a gauge router-a lacks.
  prometheus::BuildGauge()
      .Name("throng_test_idle_workers")
      .Help("On b only")
      .Register(b.metrics->Registry())
      .Add({});
  ASSERT_TRUE(Eventually([&] {
    auto text = Body("/metrics/router");
    return Has(text, "throng_test_idle_workers{instance_id=\"router-b\"}") &&
           Has(text, "throng_test_job_duration_seconds_count{instance_id=\"router-a\"}");
  }));
  auto text = Valid("/metrics/router");
  EXPECT_EQ(LinesWith(text, "# TYPE throng_test_jobs_total "),
            "# TYPE throng_test_jobs_total counter\n");
  EXPECT_EQ(LinesWith(text, "# HELP throng_test_job_duration_seconds "),
            "# HELP throng_test_job_duration_seconds Time per job\n");
  EXPECT_FALSE(Has(LinesWith(text, "throng_test_job_duration_seconds"), "router-b"));
  EXPECT_FALSE(Has(LinesWith(text, "throng_test_idle_workers"), "router-a"));
  EXPECT_EQ(Value(text, "throng_test_jobs_total{instance_id=\"router-a\",kind=\"static\"}"), 7);
  EXPECT_EQ(Value(text, "throng_test_jobs_total{instance_id=\"router-b\",kind=\"static\"}"), 5);
  // Never a summed raw counter: totals belong in PromQL.
  EXPECT_FALSE(Has(text, "throng_test_jobs_total{kind=\"static\"}"));
  EXPECT_EQ(OwnValue("throng_aggregator_instances{service=\"router\"}"), 2);
  AllValid();
}

TEST_F(AggregatorFailures, KilledInstanceIsGoneAfterItsExpiry) {
  row_ = "instance killed (SIGKILL): gone after its expiry";
  StartAggregator();
  auto log = testing::UniqueTempPath("victim.log");
  testing::ChildProcess victim(
      {THRONG_AGGREGATOR_BINARY, "--port=0", "--redis-url=" + redis_->Url(),
       "--metrics-prefix=" + prefix_, "--metrics-interval=0.4", "--instance-id=victim",
       "--log-level=warn"},
      log);
  ASSERT_TRUE(Eventually([&] { return Serves("aggregator", "victim"); }, 20))
      << "the spawned aggregator never published; see " << log;
  ASSERT_TRUE(victim.Stop(SIGKILL));
  auto killed = std::chrono::steady_clock::now();
  // No goodbye from a killed process: its snapshot lives on until it expires.
  EXPECT_TRUE(Serves("aggregator", "victim"));
  AllValid();
  ASSERT_TRUE(Eventually([&] { return !Serves("aggregator", "victim"); }, 10));
  EXPECT_GE(Seconds(std::chrono::steady_clock::now() - killed), 0.5);
  EXPECT_TRUE(Serves("aggregator", "aggregator-under-test"));
  // The expired member left the index too.
  auto score =
      writer_->Command({"ZSCORE", MetricsPublisher::IndexKey(prefix_, "aggregator"), "victim"});
  ASSERT_TRUE(score);
  EXPECT_FALSE(score->at(0).has_value());
  AllValid();
  std::remove(log.c_str());
}

TEST_F(AggregatorFailures, RandomBytesInASnapshotKeyAreRejectedAndCounted) {
  row_ = "random bytes in a snapshot key";
  StartAggregator();
  StartInstance("router", "router-a", 7);
  std::mt19937 random(42);
  std::string junk(4096, '\0');
  for (auto& c : junk) c = static_cast<char>(random());
  Put("router", "router-junk", junk);
  ASSERT_TRUE(Eventually([&] {
    auto own = Own();
    return Value(own, DecodeErrors("router", "undecodable")).value_or(0) +
               Value(own, DecodeErrors("router", "identity")).value_or(0) >
           0;
  }));
  ASSERT_TRUE(Eventually([&] { return Serves("router", "router-a"); }));
  EXPECT_FALSE(Serves("router", "router-junk"));
  AllValid();
}

TEST_F(AggregatorFailures, OversizedSnapshotIsSkippedUnread) {
  row_ = "huge value (2 MiB snapshot key; a 1e308 counter)";
  StartAggregator();
  StartInstance("router", "router-a", 7);
  Put("router", "router-huge", std::string(2 * 1024 * 1024, 'x'));
  // A huge number is still a number.
  auto big = Crafted("router", "router-big");
  AddSample(big, "throng_test_jobs_total", v1::METRIC_TYPE_COUNTER)->set_value(1e308);
  Put(big);
  ASSERT_TRUE(
      Eventually([&] { return OwnValue(DecodeErrors("router", "payload_too_large")) > 0; }));
  ASSERT_TRUE(Eventually([&] { return Serves("router", "router-big"); }));
  auto text = Valid("/metrics/router");
  EXPECT_EQ(Value(text, "throng_test_jobs_total{instance_id=\"router-big\"}"), 1e308);
  EXPECT_TRUE(Serves("router", "router-a"));
  EXPECT_FALSE(Serves("router", "router-huge"));
  EXPECT_EQ(OwnValue("throng_aggregator_redis_up"), 1);
  AllValid();
}

TEST_F(AggregatorFailures, LeLabelOnACounterIsRejected) {
  row_ = "`le` label on a counter";
  StartAggregator();
  auto snapshot = Crafted("router", "router-le");
  auto* sample = AddSample(snapshot, "throng_test_jobs_total", v1::METRIC_TYPE_COUNTER);
  sample->set_value(4);
  auto* label = sample->add_labels();
  label->set_name("le");
  label->set_value("1");
  AddSample(snapshot, "throng_test_queue_depth", v1::METRIC_TYPE_GAUGE)->set_value(2);
  Put(snapshot);
  ASSERT_TRUE(Eventually([&] { return OwnValue(DecodeErrors("router", "reserved_label")) > 0; }));
  auto text = Valid("/metrics/router");
  // Only the bad family goes; the instance's other families stay.
  EXPECT_EQ(Value(text, "throng_test_queue_depth{instance_id=\"router-le\"}"), 2);
  EXPECT_FALSE(Has(text, "throng_test_jobs_total"));
  AllValid();
}

TEST_F(AggregatorFailures, NanIsServedForGaugesOnlyAndAlwaysParses) {
  row_ = "NaN in a counter, a gauge and a histogram sum";
  StartAggregator();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto snapshot = Crafted("router", "router-nan");
  AddSample(snapshot, "throng_test_jobs_total", v1::METRIC_TYPE_COUNTER)->set_value(nan);
  AddSample(snapshot, "throng_test_queue_depth", v1::METRIC_TYPE_GAUGE)->set_value(nan);
  auto* histogram =
      AddSample(snapshot, "throng_test_job_duration_seconds", v1::METRIC_TYPE_HISTOGRAM);
  histogram->add_bucket_bounds(1);
  histogram->add_bucket_cumulative(1);
  histogram->add_bucket_cumulative(1);
  histogram->set_sample_count(1);
  histogram->set_sample_sum(nan);
  Put(snapshot);
  ASSERT_TRUE(Eventually([&] { return OwnValue(DecodeErrors("router", "value")) >= 2; }));
  auto text = Valid("/metrics/router");
  // A gauge may say "unknown"; a counter or a histogram's sum may not (rate() would break).
  EXPECT_EQ(LinesWith(text, "instance_id"),
            "throng_test_queue_depth{instance_id=\"router-nan\"} NaN\n");
  AllValid();
}

TEST_F(AggregatorFailures, HelpTextIsEscaped) {
  row_ = "HELP text with a backslash and a line break";
  StartAggregator();
  auto snapshot = Crafted("router", "router-help");
  auto* sample = AddSample(snapshot, "throng_test_queue_depth", v1::METRIC_TYPE_GAUGE);
  sample->set_value(1);
  snapshot.mutable_families(0)->set_help("Jobs waiting\nin C:\\queue");
  Put(snapshot);
  ASSERT_TRUE(Eventually([&] { return Serves("router", "router-help"); }));
  EXPECT_EQ(LinesWith(Valid("/metrics/router"), "# HELP"),
            "# HELP throng_test_queue_depth Jobs waiting\\nin C:\\\\queue\n");
  AllValid();
}

TEST_F(AggregatorFailures, ForeignKeysAreRejectedAndCounted) {
  row_ = "foreign keys: wrong type, wrong identity, broken index";
  StartAggregator();
  StartInstance("router", "router-a", 7);
  // A hash where a snapshot should be.
  ASSERT_TRUE(writer_->Command(
      {"HSET", MetricsPublisher::SnapshotKey(prefix_, "router", "router-hash"), "f", "v"}));
  Index("router", "router-hash");
  // A valid snapshot of another instance stored under this one's key.
  Put("router", "router-impostor", Crafted("router", "router-other").SerializeAsString());
  // The operator's index is not a ZSET at all.
  ASSERT_TRUE(writer_->Command({"SET", MetricsPublisher::IndexKey(prefix_, "operator"), "x"}));
  ASSERT_TRUE(Eventually([&] {
    auto own = Own();
    return Value(own, DecodeErrors("router", "wrong_type")).value_or(0) > 0 &&
           Value(own, DecodeErrors("router", "identity")).value_or(0) > 0 &&
           Value(own, DecodeErrors("operator", "index_type")).value_or(0) > 0;
  }));
  ASSERT_TRUE(Eventually([&] { return Serves("router", "router-a"); }));
  EXPECT_FALSE(Serves("router", "router-other"));
  EXPECT_FALSE(Serves("router", "router-impostor"));
  // Bad data is not an outage.
  EXPECT_EQ(OwnValue("throng_aggregator_redis_up"), 1);
  AllValid();
}

TEST_F(AggregatorFailures, RedisStoppedServesLastDataThenDropsItAfterMaxStale) {
  row_ = "Redis stopped: last data, redis_up 0, age grows, max_stale";
  config_.max_stale = 3s;
  StartAggregator();
  auto& a = StartInstance("router", "router-a", 7);
  StartInstance("router", "router-b", 5);
  ASSERT_TRUE(
      Eventually([&] { return Serves("router", "router-a") && Serves("router", "router-b"); }));

  redis_->Stop();
  ASSERT_TRUE(Eventually([&] { return OwnValue("throng_aggregator_redis_up") == 0; }));
  auto before = Valid("/metrics/router");
  auto age_before = OwnValue("throng_aggregator_snapshot_age_seconds{service=\"router\"}");
  EXPECT_TRUE(Has(before, "router-a"));
  EXPECT_TRUE(Has(before, "router-b"));
  EXPECT_TRUE(Has(Valid("/"), "Redis DOWN"));

  // Scrapes never wait for Redis.
  double slowest = 0;
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Get("/metrics/router").status, 200);
    slowest = std::max(slowest, Seconds(std::chrono::steady_clock::now() - start));
  }
  EXPECT_LT(slowest, 0.5);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(Valid("/metrics/router"), before);  // the last good data, unchanged
  EXPECT_GT(OwnValue("throng_aggregator_snapshot_age_seconds{service=\"router\"}"), age_before);

  // Publishers count their failures, and stop at once without Redis.
  ASSERT_TRUE(Eventually([&] { return a.PublishFailures() > 0; }));
  auto stop_started = std::chrono::steady_clock::now();
  a.publisher->Stop();
  EXPECT_LT(Seconds(std::chrono::steady_clock::now() - stop_started), 1.5);

  // After max_stale the frozen data goes; the aggregator's own metrics stay.
  ASSERT_TRUE(Eventually([&] { return Body("/metrics/router").empty(); }, 10));
  EXPECT_EQ(OwnValue("throng_aggregator_instances{service=\"router\"}"), 0);
  EXPECT_GE(OwnValue("throng_aggregator_snapshot_age_seconds{service=\"router\"}"), 3);
  AllValid();
}

TEST_F(AggregatorFailures, RedisRestartedEmptyHoldsThePreviousViewForOneExpiry) {
  row_ = "Redis restarted empty: held one expiry, then refilled";
  StartAggregator();
  StartInstance("router", "router-a", 7);
  StartInstance("router", "router-b", 5);
  // An instance that will not publish again after the restart.
  auto silent = Crafted("router", "router-gone");
  AddSample(silent, "throng_test_queue_depth", v1::METRIC_TYPE_GAUGE)->set_value(1);
  Put(silent);
  ASSERT_TRUE(Eventually([&] {
    return Serves("router", "router-a") && Serves("router", "router-b") &&
           Serves("router", "router-gone");
  }));

  redis_->Stop();
  redis_->Start();
  auto restarted = std::chrono::steady_clock::now();
  bool saw_held = false;
  bool refilled = false;
  // Until both publishers are back and the silent instance's hold has run out, every scrape
  // still has both live instances: nothing flaps to empty.
  while (Seconds(std::chrono::steady_clock::now() - restarted) < 10) {
    auto text = Valid("/metrics/router");
    ASSERT_TRUE(Has(text, "instance_id=\"router-a\"")) << "router-a missing after the restart";
    ASSERT_TRUE(Has(text, "instance_id=\"router-b\"")) << "router-b missing after the restart";
    auto gone = IndexInstance("router", "router-gone");
    if (!gone.is_null() && gone["held"] == true) saw_held = true;
    auto a = IndexInstance("router", "router-a");
    auto b = IndexInstance("router", "router-b");
    refilled =
        gone.is_null() && !a.is_null() && a["held"] == false && !b.is_null() && b["held"] == false;
    if (saw_held && refilled) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(saw_held) << "router-gone was never held after Redis lost its data";
  EXPECT_TRUE(refilled) << "the view did not refill from the publishers";
  EXPECT_EQ(OwnValue("throng_aggregator_redis_data_lost_total"), 1);
  EXPECT_FALSE(Serves("router", "router-gone"));
  AllValid();
}

TEST_F(AggregatorFailures, RestartedInstanceRestartsOnlyItsOwnSeries) {
  row_ = "instance restarted with its counters reset";
  StartAggregator();
  auto* a = &StartInstance("router", "router-a", 7);
  StartInstance("router", "router-b", 5);
  ASSERT_TRUE(
      Eventually([&] { return Serves("router", "router-a") && Serves("router", "router-b"); }));
  auto before = Valid("/metrics/router");
  auto old_boot = IndexInstance("router", "router-a")["boot_id"];

  // Same instance id, new process: counters start again from zero.
  a->publisher->Stop();
  a = &StartInstance("router", "router-a", 2);
  const std::string series = "throng_test_jobs_total{instance_id=\"router-a\",kind=\"static\"}";
  ASSERT_TRUE(Eventually([&] { return Value(Body("/metrics/router"), series) == 2; }));
  auto after = Valid("/metrics/router");
  // Passed through as is: Prometheus sees a counter reset of this series and nothing else.
  EXPECT_NE(IndexInstance("router", "router-a")["boot_id"], old_boot);
  EXPECT_EQ(LinesWith(after, "throng_test_jobs_total{instance_id=\"router-b\""),
            LinesWith(before, "throng_test_jobs_total{instance_id=\"router-b\""));
  EXPECT_EQ(LinesWith(after, "throng_test_queue_depth"),
            LinesWith(before, "throng_test_queue_depth"));
  EXPECT_EQ(OwnValue("throng_aggregator_instances{service=\"router\"}"), 2);
  AllValid();
}

TEST_F(AggregatorFailures, SlowRedisStallsNeitherScrapesNorPublisherStop) {
  row_ = "Redis paused (CLIENT PAUSE): scrapes fast, Stop() bounded";
  StartAggregator();
  auto& a = StartInstance("router", "router-a", 7);
  ASSERT_TRUE(Eventually([&] { return Serves("router", "router-a"); }));
  ASSERT_TRUE(writer_->Command({"CLIENT", "PAUSE", "5000", "ALL"}));
  auto paused = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(100ms);
  auto stop_started = std::chrono::steady_clock::now();
  a.publisher->Stop();
  // At most the call in progress times out (1 s), or the goodbye is tried once (1 s).
  EXPECT_LT(Seconds(std::chrono::steady_clock::now() - stop_started), 2.5);
  double slowest = 0;
  for (int i = 0; i < 10; ++i) {
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(Get("/metrics/router").status, 200);
    slowest = std::max(slowest, Seconds(std::chrono::steady_clock::now() - start));
  }
  EXPECT_LT(slowest, 0.5);
  // All of the above happened while Redis was paused.
  EXPECT_LT(Seconds(std::chrono::steady_clock::now() - paused), 5.0);
  AllValid();
  ASSERT_TRUE(Eventually([&] { return OwnValue("throng_aggregator_refresh_errors_total") > 0; }));
  ASSERT_TRUE(Eventually([&] { return OwnValue("throng_aggregator_redis_up") == 1; }, 10));
  AllValid();
}

TEST_F(AggregatorFailures, IndexPageListsServicesInstancesAndAges) {
  row_ = "index page: services, instances, snapshot ages";
  StartAggregator();
  StartInstance("router", "router-a", 7);
  StartInstance("operator", "operator-a", 1, /*with_histogram=*/true);
  ASSERT_TRUE(
      Eventually([&] { return Serves("router", "router-a") && Serves("operator", "operator-a"); }));
  auto text = Valid("/");
  for (const auto* needle : {"/metrics/router", "/metrics/operator", "/metrics/aggregator",
                             "router-a", "operator-a", "published", "Redis up"}) {
    EXPECT_TRUE(Has(text, needle)) << needle << " missing from\n" << text;
  }
  auto index = nlohmann::json::parse(Valid("/?format=json"));
  EXPECT_EQ(index["redis_up"], true);
  ASSERT_EQ(index["services"].size(), 3u);
  auto operator_a = IndexInstance("operator", "operator-a");
  ASSERT_FALSE(operator_a.is_null());
  EXPECT_GT(operator_a["series"].get<int>(), 5);
  EXPECT_GE(operator_a["age_seconds"].get<double>(), 0);
  EXPECT_LT(operator_a["age_seconds"].get<double>(), 5);
  EXPECT_EQ(operator_a["held"], false);
  AllValid();
}

TEST_F(AggregatorFailures, TwoHundredConcurrentScrapes) {
  row_ = "200 concurrent scrapes while views are swapped";
  StartAggregator();
  StartInstance("router", "router-a", 7, /*with_histogram=*/true);
  StartInstance("router", "router-b", 5);
  StartInstance("operator", "operator-a", 1, /*with_histogram=*/true);
  ASSERT_TRUE(
      Eventually([&] { return Serves("router", "router-b") && Serves("operator", "operator-a"); }));

  const std::vector<std::string> paths = {"/metrics/router", "/metrics/operator",
                                          "/metrics/aggregator", "/metrics", "/"};
  constexpr int kClients = 200;
  std::vector<testing::HttpReply> replies(kClients);
  std::vector<std::thread> clients;
  std::atomic<bool> go{false};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      replies[i] =
          HttpClient::Once(app_->Port(), boost::beast::http::verb::get, paths[i % paths.size()]);
    });
  }
  go = true;
  for (auto& client : clients) client.join();

  std::set<std::string> bodies;
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(replies[i].status, 200) << paths[i % paths.size()] << ": " << replies[i].body;
    if (paths[i % paths.size()] != "/") bodies.insert(replies[i].body);
  }
  for (const auto& body : bodies) {
    EXPECT_EQ(testing::PromtoolProblems(body), "") << body;
  }
  AllValid();
}

}  // namespace
}  // namespace throng::aggregator

#include "throng/common/metrics_publisher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "throng/common/clock.hpp"
#include "throng/common/redis_client.hpp"
#include "throng/common/snapshot_codec.hpp"

namespace throng {

namespace {

std::string RandomHex(std::size_t bytes) {
  std::random_device device;
  std::string out;
  static const char* kDigits = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes; ++i) {
    auto byte = device() & 0xff;
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

}  // namespace

MetricsPublisher::MetricsPublisher(MetricsPublisherOptions options,
                                   std::shared_ptr<ServiceMetrics> metrics)
    : options_(std::move(options)), metrics_(std::move(metrics)), boot_id_(RandomHex(16)) {
  publish_failures_ = &prometheus::BuildCounter()
                           .Name("throng_metrics_publish_failures_total")
                           .Help("Metric snapshots that could not be saved to Redis")
                           .Register(metrics_->Registry())
                           .Add({});
  last_success_ = &prometheus::BuildGauge()
                       .Name("throng_metrics_last_publish_success_timestamp_seconds")
                       .Help("When a metric snapshot was last saved to Redis")
                       .Register(metrics_->Registry())
                       .Add({});
}

MetricsPublisher::~MetricsPublisher() { Stop(); }

std::string MetricsPublisher::SnapshotKey(const std::string& prefix, const std::string& service,
                                          const std::string& instance_id) {
  return prefix + ":{" + service + "}:snap:" + instance_id;
}

std::string MetricsPublisher::IndexKey(const std::string& prefix, const std::string& service) {
  return prefix + ":{" + service + "}:instances";
}

void MetricsPublisher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void MetricsPublisher::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

namespace {

// Runs MULTI, the commands, EXEC; stops at the first failure. DISCARD only on a live
// connection: a failed one reconnects on its next command, which would cost another timeout.
Result<void> Transaction(RedisClient& redis,
                         const std::vector<std::vector<std::string>>& commands) {
  auto ok = redis.Command({"MULTI"});
  for (const auto& command : commands) {
    if (ok) ok = redis.Command(command);
  }
  if (ok) ok = redis.Command({"EXEC"});
  if (!ok) {
    if (redis.Connected()) redis.Command({"DISCARD"});
    return tl::unexpected(ok.error());
  }
  // EXEC answers for each command; one that failed inside (e.g. a foreign key of the wrong
  // type) answers an error, which reads as nil here.
  if (std::find(ok->begin(), ok->end(), std::nullopt) != ok->end()) {
    return Fail("Redis refused a command of the transaction");
  }
  return {};
}

}  // namespace

void MetricsPublisher::Loop() {
  RedisClient redis(options_.redis_url, options_.redis_timeout);
  const auto snap_key = SnapshotKey(options_.key_prefix, options_.service, options_.instance_id);
  const auto index_key = IndexKey(options_.key_prefix, options_.service);
  const auto ttl = std::to_string(options_.interval.count() * kExpiryIntervals);
  std::uint64_t seq = 0;
  int consecutive_failures = 0;
  std::minstd_rand jitter(std::random_device{}());

  auto publish = [&] {
    v1::MetricsSnapshot snapshot;
    snapshot.set_schema_version(kSnapshotSchemaVersion);
    snapshot.set_service(options_.service);
    snapshot.set_instance_id(options_.instance_id);
    snapshot.set_boot_id(boot_id_);
    snapshot.set_seq(++seq);
    snapshot.set_published_ms(DefaultClock().NowMillis());
    snapshot.set_interval_ms(options_.interval.count());
    FillSnapshot(metrics_->Collect(), snapshot);
    std::string bytes;
    snapshot.SerializeToString(&bytes);
    auto now_ms = std::to_string(snapshot.published_ms());
    auto ok = Transaction(redis, {{"SET", snap_key, bytes, "PX", ttl},
                                  {"ZADD", index_key, now_ms, options_.instance_id}});
    if (ok) {
      last_success_->Set(static_cast<double>(snapshot.published_ms()) / 1000.0);
      if (consecutive_failures > 0) spdlog::info("metrics publishing to Redis recovered");
      consecutive_failures = 0;
    } else {
      publish_failures_->Increment();
      // Log the first failure and then every 60th, so a long outage does not flood the log.
      if (consecutive_failures++ % 60 == 0) {
        spdlog::warn("cannot save metrics snapshot: {}", ok.error().message);
      }
    }
  };
  // After failures, retry at one interval, then two, jittered so that publishers do not
  // reconnect in step; never beyond two, so that a recovered Redis has every instance back
  // well within one expiry (what the aggregator holds after Redis lost its data).
  auto next_wait = [&] {
    if (consecutive_failures == 0) return options_.interval;
    auto base = options_.interval * (consecutive_failures == 1 ? 1 : 2);
    std::uniform_int_distribution<long> spread(base.count() / 2, base.count());
    return std::chrono::milliseconds(spread(jitter));
  };

  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    publish();
    lock.lock();
    wake_.wait_for(lock, next_wait(), [this] { return stopping_; });
  }
  lock.unlock();
  // Graceful exit: vanish from the index at once. Not when Redis was failing: the key expires
  // on its own, and Stop() must not wait for more timeouts.
  if (consecutive_failures == 0) {
    Transaction(redis, {{"DEL", snap_key}, {"ZREM", index_key, options_.instance_id}});
  }
}

}  // namespace throng

#include "snapshot_refresher.hpp"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "throng/common/metrics_publisher.hpp"

namespace throng::aggregator {

namespace {

// Removes an instance from the index only if its snapshot key is really gone. Atomic, so a
// publisher that re-added itself meanwhile is kept; idempotent, so any replica may run it.
constexpr const char kRemoveIfExpired[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[1]) end "
    "return 0";

// Keys per MGET, so one huge service does not make one huge reply.
constexpr std::size_t kMgetChunk = 100;

}  // namespace

SnapshotRefresher::SnapshotRefresher(RefresherOptions options, AggregatorProbe& probe,
                                     const Clock& clock)
    : options_(std::move(options)),
      probe_(probe),
      clock_(clock),
      redis_(options_.redis_url, options_.redis_timeout),
      started_s_(clock.NowSeconds()) {
  auto empty = std::make_shared<const std::string>();
  for (const auto& service : options_.services) {
    texts_[service] = empty;
    probe_.SetInstances(service, 0);
    probe_.SetSnapshotAge(service, 0);
  }
  probe_.SetRedisUp(false);
}

SnapshotRefresher::~SnapshotRefresher() { Stop(); }

void SnapshotRefresher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void SnapshotRefresher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnapshotRefresher::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    RefreshOnce();
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

std::shared_ptr<const std::string> SnapshotRefresher::Exposition(const std::string& service) const {
  std::lock_guard lock(texts_mutex_);
  auto it = texts_.find(service);
  return it == texts_.end() ? nullptr : it->second;
}

Result<std::vector<v1::MetricsSnapshot>> SnapshotRefresher::Fetch(
    const std::string& service, std::map<std::string, std::uint64_t>& errors) {
  const auto index_key = MetricsPublisher::IndexKey(options_.key_prefix, service);
  auto members = redis_.Command({"ZRANGE", index_key, "0", "-1"});
  if (!members) return tl::unexpected(members.error());
  std::vector<std::string> ids;
  for (auto& member : *members) {
    if (member) ids.push_back(std::move(*member));
  }

  std::vector<v1::MetricsSnapshot> snapshots;
  for (std::size_t start = 0; start < ids.size(); start += kMgetChunk) {
    auto end = std::min(ids.size(), start + kMgetChunk);
    std::vector<std::string> args{"MGET"};
    for (auto i = start; i < end; ++i) {
      args.push_back(MetricsPublisher::SnapshotKey(options_.key_prefix, service, ids[i]));
    }
    auto values = redis_.Command(args);
    if (!values) return tl::unexpected(values.error());
    if (values->size() != end - start) return Fail("unexpected MGET reply from Redis");

    for (auto i = start; i < end; ++i) {
      const auto& id = ids[i];
      auto& value = (*values)[i - start];
      if (!value) {
        // Expired (or deleted at shutdown): the instance is gone, drop it from the index.
        auto removed =
            redis_.Command({"EVAL", kRemoveIfExpired, "2", args[i - start + 1], index_key, id});
        if (!removed) return tl::unexpected(removed.error());
        if (!removed->empty() && removed->front() == "1") {
          spdlog::info("{} instance {} expired; removed from the index", service, id);
        }
        continue;
      }
      if (value->size() > options_.max_payload_bytes) {
        ++errors["payload_too_large"];
        continue;
      }
      v1::MetricsSnapshot snapshot;
      bool parsed;
      {
        // Redis data is untrusted: protobuf would log each bad string field on every refresh.
        // It is counted in throng_aggregator_decode_errors_total instead.
        google::protobuf::LogSilencer quiet;
        parsed = snapshot.ParseFromString(*value);
      }
      if (!parsed) {
        ++errors["undecodable"];
        continue;
      }
      // A key must hold the snapshot it is named after; anything else is foreign data.
      if (snapshot.service() != service || snapshot.instance_id() != id) {
        ++errors["identity"];
        continue;
      }
      snapshots.push_back(std::move(snapshot));
    }
  }
  return snapshots;
}

bool SnapshotRefresher::RefreshOnce() {
  bool ok = true;
  std::string failure;
  for (const auto& service : options_.services) {
    std::map<std::string, std::uint64_t> errors;
    auto snapshots = Fetch(service, errors);
    if (!snapshots) {
      // The connection is gone; the other services would fail the same way, so stop here
      // and keep serving what was merged last.
      ok = false;
      failure = snapshots.error().message;
      break;
    }
    auto merged = MergeSnapshots(*snapshots, options_.limits);
    for (const auto& [reason, count] : merged.errors) errors[reason] += count;
    for (const auto& [reason, count] : errors) {
      probe_.DecodeErrors(service, reason, count);
      if (reported_errors_.insert(service + "/" + reason).second) {
        spdlog::warn(
            "{}: skipping invalid metric data from Redis (reason {}); counted in "
            "throng_aggregator_decode_errors_total",
            service, reason);
      }
    }
    auto text = std::make_shared<const std::string>(std::move(merged.text));
    {
      std::lock_guard lock(texts_mutex_);
      texts_[service] = std::move(text);
    }
    probe_.SetInstances(service, static_cast<double>(merged.instances));
    last_success_s_[service] = clock_.NowSeconds();
  }

  auto now = clock_.NowSeconds();
  for (const auto& service : options_.services) {
    auto it = last_success_s_.find(service);
    double since = it == last_success_s_.end() ? started_s_ : it->second;
    probe_.SetSnapshotAge(service, std::max(0.0, now - since));
  }
  probe_.SetRedisUp(ok);
  probe_.Refreshed(ok);
  if (ok) {
    if (consecutive_failures_ > 0) spdlog::info("reading metric snapshots from Redis recovered");
    consecutive_failures_ = 0;
    ready_ = true;
  } else if (consecutive_failures_++ % 60 == 0) {
    // The first failure and then every 60th, so a long outage does not flood the log.
    spdlog::warn("cannot read metric snapshots: {}; serving the last merged data", failure);
  }
  return ok;
}

}  // namespace throng::aggregator

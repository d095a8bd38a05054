#include "snapshot_refresher.hpp"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "throng/common/metrics_publisher.hpp"

namespace throng::aggregator {

namespace {

// Reads a chunk of snapshot keys in one round trip. KEYS[1] is the index, KEYS[2..] the
// snapshot keys, ARGV[1] the size cap, ARGV[2..] the matching instance ids. Each answer is
// tagged by its first byte:
//   v<bytes>  the snapshot
//   L         larger than the cap: never sent, so one huge value cannot stall the refresh
//   t<type>   not a string (foreign data)
//   g1 / g0   gone (expired or deleted at shutdown); 1 if it was removed from the index now.
//             The removal happens only when the key is really gone, atomically, so a publisher
//             that re-added itself meanwhile is kept; any replica may run it.
constexpr const char kReadSnapshots[] = R"lua(
local out = {}
local cap = tonumber(ARGV[1])
for i = 2, #KEYS do
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind == 'string' then
    if redis.call('STRLEN', KEYS[i]) > cap then
      out[i - 1] = 'L'
    else
      out[i - 1] = 'v' .. redis.call('GET', KEYS[i])
    end
  elseif kind == 'none' then
    local removed = redis.pcall('ZREM', KEYS[1], ARGV[i])
    out[i - 1] = (removed == 1) and 'g1' or 'g0'
  else
    out[i - 1] = 't' .. kind
  end
end
return out
)lua";

// Creates the epoch key if it is missing and returns its value. The value changes only when
// Redis lost the key, i.e. lost its data. pcall: a full or foreign key must not fail the pass.
constexpr const char kEpoch[] = R"lua(
redis.pcall('SET', KEYS[1], ARGV[1], 'NX')
local epoch = redis.pcall('GET', KEYS[1])
if type(epoch) == 'string' then return epoch end
return false
)lua";

// Keys per script call, so one huge service does not make one huge reply.
constexpr std::size_t kChunk = 100;

std::string NewEpoch() {
  std::random_device device;
  return std::to_string(device()) + "-" + std::to_string(device());
}

}  // namespace

SnapshotRefresher::SnapshotRefresher(RefresherOptions options, AggregatorProbe& probe,
                                     const Clock& clock)
    : options_(std::move(options)),
      probe_(probe),
      clock_(clock),
      redis_(options_.redis_url, options_.redis_timeout),
      started_s_(clock.NowSeconds()) {
  auto empty = std::make_shared<const ServiceView>();
  for (const auto& service : options_.services) {
    views_[service] = empty;
    states_[service];
    probe_.SetInstances(service, 0);
    probe_.SetHeldInstances(service, 0);
    probe_.SetSnapshotAge(service, 0);
  }
  probe_.SetRedisUp(false);
}

SnapshotRefresher::~SnapshotRefresher() { Stop(); }

std::string SnapshotRefresher::EpochKey(const std::string& prefix) { return prefix + ":epoch"; }

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
    try {
      RefreshOnce();
    } catch (const std::exception& e) {
      // Nothing from Redis may end the process; the last views stay in place.
      spdlog::error("metric refresh failed: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

std::shared_ptr<const ServiceView> SnapshotRefresher::View(const std::string& service) const {
  std::lock_guard lock(views_mutex_);
  auto it = views_.find(service);
  return it == views_.end() ? nullptr : it->second;
}

void SnapshotRefresher::Swap(const std::string& service, std::shared_ptr<const ServiceView> view) {
  std::lock_guard lock(views_mutex_);
  views_[service] = std::move(view);
}

Result<std::vector<v1::MetricsSnapshot>> SnapshotRefresher::Fetch(
    const std::string& service, std::map<std::string, std::uint64_t>& errors) {
  const auto index_key = MetricsPublisher::IndexKey(options_.key_prefix, service);
  // Newest publishers first, and no more than the merge accepts: a flooded index costs one
  // bounded read per pass, and its dead members are removed a chunk at a time.
  const auto limit = std::to_string(options_.limits.max_instances);
  auto members = redis_.Command({"ZRANGE", index_key, "0", limit, "REV"});
  if (!members) {
    // An error reply on a working connection: the index key holds foreign data.
    if (!redis_.Connected()) return tl::unexpected(members.error());
    ++errors["index_type"];
    return std::vector<v1::MetricsSnapshot>{};
  }
  std::vector<std::string> ids;
  for (auto& member : *members) {
    if (member) ids.push_back(std::move(*member));
  }
  if (ids.size() > options_.limits.max_instances) {
    ++errors["too_many_instances"];
    ids.resize(options_.limits.max_instances);
  }

  std::vector<v1::MetricsSnapshot> snapshots;
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    auto end = std::min(ids.size(), start + kChunk);
    std::vector<std::string> args{"EVAL", kReadSnapshots, std::to_string(end - start + 1),
                                  index_key};
    for (auto i = start; i < end; ++i) {
      args.push_back(MetricsPublisher::SnapshotKey(options_.key_prefix, service, ids[i]));
    }
    args.push_back(std::to_string(options_.max_payload_bytes));
    for (auto i = start; i < end; ++i) args.push_back(ids[i]);
    auto values = redis_.Command(args);
    if (!values) return tl::unexpected(values.error());
    if (values->size() != end - start) return Fail("unexpected reply from Redis");

    for (auto i = start; i < end; ++i) {
      const auto& id = ids[i];
      const auto& value = (*values)[i - start];
      const char tag = value && !value->empty() ? value->front() : '?';
      if (tag == 'g') {
        if (*value == "g1") {
          spdlog::info("{} instance {} expired; removed from the index", service, id);
        }
        continue;
      }
      if (tag != 'v') {
        ++errors[tag == 'L' ? "payload_too_large" : "wrong_type"];
        continue;
      }
      v1::MetricsSnapshot snapshot;
      bool parsed;
      {
        // Redis data is untrusted: protobuf would log each bad string field on every refresh.
        // It is counted in throng_aggregator_decode_errors_total instead.
        google::protobuf::LogSilencer quiet;
        parsed = snapshot.ParseFromArray(value->data() + 1, static_cast<int>(value->size() - 1));
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

double SnapshotRefresher::HoldSeconds(const v1::MetricsSnapshot& snapshot) const {
  if (options_.restart_hold.count() > 0) return options_.restart_hold.count() / 1000.0;
  // The instance's own expiry; its interval comes from Redis, so bound it.
  auto interval_ms = std::clamp<std::int64_t>(snapshot.interval_ms(), 10, 3'600'000);
  return static_cast<double>(MetricsPublisher::kExpiryIntervals * interval_ms) / 1000.0;
}

Result<void> SnapshotRefresher::CheckEpoch(double now_s) {
  auto reply = redis_.Command({"EVAL", kEpoch, "1", EpochKey(options_.key_prefix), NewEpoch()});
  if (!reply) return tl::unexpected(reply.error());
  std::string epoch = !reply->empty() && reply->front() ? *reply->front() : std::string();
  if (epoch.empty()) return {};  // unknown (foreign data in the key): no verdict
  bool lost = !epoch_.empty() && epoch != epoch_;
  epoch_ = std::move(epoch);
  if (!lost) return {};

  std::size_t held = 0;
  for (auto& [service, state] : states_) {
    for (auto& [id, snapshot] : state.live) {
      double until_s = now_s + HoldSeconds(snapshot);
      state.held[id] = Held{std::move(snapshot), until_s};
      ++held;
    }
    state.live.clear();
  }
  probe_.RedisDataLost();
  spdlog::warn(
      "Redis lost the metric snapshots (restarted without persistence, or flushed); serving "
      "the {} last known instances until they publish again or expire",
      held);
  return {};
}

void SnapshotRefresher::Rebuild(const std::string& service,
                                std::vector<v1::MetricsSnapshot> fetched, double now_s,
                                std::map<std::string, std::uint64_t>& errors) {
  auto& state = states_[service];
  state.read_s = now_s;

  // Held instances go once they published again or their hold ran out.
  std::set<std::string> fresh;
  for (const auto& snapshot : fetched) fresh.insert(snapshot.instance_id());
  std::erase_if(state.held, [&](const auto& entry) {
    return fresh.count(entry.first) > 0 || entry.second.until_s <= now_s;
  });
  std::vector<v1::MetricsSnapshot> input = std::move(fetched);
  const auto fresh_count = input.size();
  for (const auto& [id, held] : state.held) input.push_back(held.snapshot);

  auto merged = MergeSnapshots(input, options_.limits);
  for (const auto& [reason, count] : merged.errors) errors[reason] += count;

  auto view = std::make_shared<ServiceView>();
  view->text = std::move(merged.text);
  view->read_s = now_s;
  for (std::size_t i = 0; i < input.size(); ++i) {
    auto series = merged.instance_series.find(input[i].instance_id());
    if (series == merged.instance_series.end()) continue;  // rejected as a whole
    InstanceSummary summary;
    summary.instance_id = input[i].instance_id();
    summary.boot_id = input[i].boot_id();
    summary.seq = input[i].seq();
    summary.published_ms = input[i].published_ms();
    summary.series = series->second;
    summary.held = i >= fresh_count;
    view->instances.push_back(std::move(summary));
  }
  std::sort(view->instances.begin(), view->instances.end(),
            [](const auto& a, const auto& b) { return a.instance_id < b.instance_id; });
  Swap(service, std::move(view));

  state.live.clear();
  for (std::size_t i = 0; i < fresh_count; ++i) {
    auto id = input[i].instance_id();
    state.live.emplace(std::move(id), std::move(input[i]));
  }
  probe_.SetInstances(service, static_cast<double>(merged.instances));
  probe_.SetHeldInstances(service, static_cast<double>(state.held.size()));
}

void SnapshotRefresher::DropIfStale(const std::string& service, double now_s) {
  auto& state = states_[service];
  double since = state.read_s > 0 ? state.read_s : started_s_;
  if (now_s - since <= options_.max_stale.count() / 1000.0) return;
  if (state.live.empty() && state.held.empty()) return;
  spdlog::warn("{}: Redis unreadable for over {} s; no longer serving its instances' data", service,
               options_.max_stale.count() / 1000.0);
  state.live.clear();
  state.held.clear();
  auto view = std::make_shared<ServiceView>();
  view->read_s = state.read_s;
  Swap(service, std::move(view));
  probe_.SetInstances(service, 0);
  probe_.SetHeldInstances(service, 0);
}

bool SnapshotRefresher::RefreshOnce() {
  const double now = clock_.NowSeconds();
  std::string failure;
  auto epoch = CheckEpoch(now);
  bool ok = epoch.has_value();
  if (!ok) failure = epoch.error().message;
  std::set<std::string> read;
  for (const auto& service : options_.services) {
    if (!ok) break;
    std::map<std::string, std::uint64_t> errors;
    auto snapshots = Fetch(service, errors);
    if (!snapshots) {
      // The connection is gone; the other services would fail the same way, so stop here
      // and keep serving what was merged last.
      ok = false;
      failure = snapshots.error().message;
      break;
    }
    Rebuild(service, std::move(*snapshots), now, errors);
    read.insert(service);
    for (const auto& [reason, count] : errors) {
      probe_.DecodeErrors(service, reason, count);
      if (reported_errors_.insert(service + "/" + reason).second) {
        spdlog::warn(
            "{}: skipping invalid metric data from Redis (reason {}); counted in "
            "throng_aggregator_decode_errors_total",
            service, reason);
      }
    }
  }

  for (const auto& service : options_.services) {
    const auto& state = states_[service];
    if (read.count(service) == 0) DropIfStale(service, now);
    probe_.SetSnapshotAge(service,
                          std::max(0.0, now - (state.read_s > 0 ? state.read_s : started_s_)));
  }
  redis_up_ = ok;
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

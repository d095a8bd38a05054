#include "aggregator_probe.hpp"

namespace throng::aggregator {

AggregatorProbe::AggregatorProbe(prometheus::Registry& registry)
    : redis_up_(prometheus::BuildGauge()
                    .Name("throng_aggregator_redis_up")
                    .Help("1 if the last refresh could read Redis, 0 if not")
                    .Register(registry)
                    .Add({})),
      snapshot_age_(prometheus::BuildGauge()
                        .Name("throng_aggregator_snapshot_age_seconds")
                        .Help("Seconds since the merged metrics of a service were last refreshed")
                        .Register(registry)),
      instances_(prometheus::BuildGauge()
                     .Name("throng_aggregator_instances")
                     .Help("Live instances of a service whose snapshot was merged")
                     .Register(registry)),
      held_instances_(prometheus::BuildGauge()
                          .Name("throng_aggregator_held_instances")
                          .Help("Instances still served from before Redis lost its data, "
                                "until they publish again or expire")
                          .Register(registry)),
      redis_data_lost_(prometheus::BuildCounter()
                           .Name("throng_aggregator_redis_data_lost_total")
                           .Help("Times Redis came back without the metric snapshots "
                                 "(restarted without persistence, or flushed)")
                           .Register(registry)
                           .Add({})),
      refreshes_(prometheus::BuildCounter()
                     .Name("throng_aggregator_refreshes_total")
                     .Help("Refresh passes over every service, successful or not")
                     .Register(registry)
                     .Add({})),
      refresh_errors_(prometheus::BuildCounter()
                          .Name("throng_aggregator_refresh_errors_total")
                          .Help("Refresh passes that could not read Redis")
                          .Register(registry)
                          .Add({})),
      decode_errors_(prometheus::BuildCounter()
                         .Name("throng_aggregator_decode_errors_total")
                         .Help("Instances or metric families skipped because their data was "
                               "invalid, by service and reason")
                         .Register(registry)) {}

void AggregatorProbe::SetRedisUp(bool up) { redis_up_.Set(up ? 1 : 0); }

void AggregatorProbe::SetSnapshotAge(const std::string& service, double seconds) {
  snapshot_age_.Add({{"service", service}}).Set(seconds);
}

void AggregatorProbe::SetInstances(const std::string& service, double count) {
  instances_.Add({{"service", service}}).Set(count);
}

void AggregatorProbe::SetHeldInstances(const std::string& service, double count) {
  held_instances_.Add({{"service", service}}).Set(count);
}

void AggregatorProbe::RedisDataLost() { redis_data_lost_.Increment(); }

void AggregatorProbe::Refreshed(bool ok) {
  refreshes_.Increment();
  if (!ok) refresh_errors_.Increment();
  if (state_) state_->Set(ok ? ServiceState::State::kRunning : ServiceState::State::kError);
}

void AggregatorProbe::DecodeErrors(const std::string& service, const std::string& reason,
                                   std::uint64_t count) {
  decode_errors_.Add({{"service", service}, {"reason", reason}})
      .Increment(static_cast<double>(count));
}

}  // namespace throng::aggregator

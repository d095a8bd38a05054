#include "operator_probe.hpp"

namespace throng::operator_ {

namespace {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

std::chrono::steady_clock::time_point Now() { return std::chrono::steady_clock::now(); }

// Unit completion times: a few seconds (a quick label) to a couple of hours.
const prometheus::Histogram::BucketBoundaries& CompletionBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      1, 5, 10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200};
  return buckets;
}

}  // namespace

OperatorProbe::OperatorProbe(prometheus::Registry& registry)
    : registry_(registry),
      packets_received_(prometheus::BuildCounter()
                            .Name("throng_operator_packets_received_total")
                            .Help("Packets received from routers, by Mephisto packet type")
                            .Register(registry)),
      packets_processed_(prometheus::BuildCounter()
                             .Name("throng_operator_packets_processed_total")
                             .Help("Packets fully handled, by packet type and outcome")
                             .Register(registry)),
      processing_seconds_(prometheus::BuildHistogram()
                              .Name("throng_operator_packet_processing_seconds")
                              .Help("Time to handle one packet, by packet type")
                              .Register(registry)),
      agent_details_(prometheus::BuildCounter()
                         .Name("throng_operator_agent_details_responses_total")
                         .Help("Outcome of each agent registration or reconnect")
                         .Register(registry)),
      registration_phase_seconds_(prometheus::BuildHistogram()
                                      .Name("throng_operator_registration_phase_seconds")
                                      .Help("Time of each registration step: filter_units, "
                                            "valid_units, init_data")
                                      .Register(registry)),
      onboarding_outcomes_(prometheus::BuildCounter()
                               .Name("throng_operator_worker_pool_onboarding_outcomes_total")
                               .Help("Onboardings launched, passed and failed")
                               .Register(registry)),
      db_seconds_(prometheus::BuildHistogram()
                      .Name("throng_operator_db_latency_seconds")
                      .Help("PostgreSQL call latency, by method")
                      .Register(registry)),
      db_errors_(prometheus::BuildCounter()
                     .Name("throng_operator_db_errors_total")
                     .Help("PostgreSQL calls that failed, by method")
                     .Register(registry)),
      illegal_transitions_(prometheus::BuildCounter()
                               .Name("throng_operator_illegal_transitions_total")
                               .Help("Status changes the state machines refused, by entity")
                               .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("throng_operator_envelopes_rejected_total")
                    .Help("Envelopes from routers that were dropped, by reason")
                    .Register(registry)),
      routers_(prometheus::BuildGauge()
                   .Name("throng_operator_routers")
                   .Help("Routers that announced themselves recently")
                   .Register(registry)
                   .Add({})),
      queue_depth_(prometheus::BuildGauge()
                       .Name("throng_operator_queue_depth")
                       .Help("Packets waiting for a database worker")
                       .Register(registry)
                       .Add({})),
      queue_wait_seconds_(prometheus::BuildHistogram()
                              .Name("throng_operator_queue_wait_seconds")
                              .Help("Time a packet waited for a database worker, by packet type")
                              .Register(registry)),
      queue_lag_(prometheus::BuildGauge()
                     .Name("throng_operator_queue_lag_seconds")
                     .Help("Age of the oldest packet waiting for a database worker (0: none)")
                     .Register(registry)
                     .Add({})),
      units_launched_(prometheus::BuildCounter()
                          .Name("throng_operator_units_launched_total")
                          .Help("Units moved from created to launched")
                          .Register(registry)
                          .Add({})),
      units_withdrawn_(prometheus::BuildCounter()
                           .Name("throng_operator_units_withdrawn_total")
                           .Help("Launched units put back to created by a lowered concurrency cap")
                           .Register(registry)
                           .Add({})),
      agents_timed_out_(prometheus::BuildCounter()
                            .Name("throng_operator_agents_timed_out_total")
                            .Help("Agents whose work was ended by a timeout, by reason")
                            .Register(registry)),
      runs_shut_down_(prometheus::BuildCounter()
                          .Name("throng_operator_runs_shut_down_total")
                          .Help("Task runs shut down before their units were done, by reason")
                          .Register(registry)),
      unit_completion_seconds_(prometheus::BuildHistogram()
                                   .Name("throng_operator_unit_completion_seconds")
                                   .Help("Time from an agent getting a unit to completing it")
                                   .Register(registry)),
      units_by_status_{prometheus::BuildGauge()
                           .Name("throng_operator_run_units")
                           .Help("Units of each live task run, by status")
                           .Register(registry),
                       {}},
      agents_by_status_{prometheus::BuildGauge()
                            .Name("throng_operator_run_agents")
                            .Help("Agents of each live task run, by status")
                            .Register(registry),
                        {}},
      onboarding_by_status_{prometheus::BuildGauge()
                                .Name("throng_operator_run_onboarding_agents")
                                .Help("Onboarding agents of each live task run, by status")
                                .Register(registry),
                            {}} {
  // Pre-create the series dashboards query, so that zero-valued series exist from the start.
  for (const char* type : {"register_agent", "submit_unit", "log_error"}) {
    packets_received_.Add({{"packet_type", type}});
  }
  for (const char* response : {"assigned", "reconnection", "no_available_units", "agent_missing",
                               "not_qualified", "assigned_onboarding"}) {
    agent_details_.Add({{"response", response}});
  }
  for (const char* outcome : {"launched", "passed", "failed"}) {
    onboarding_outcomes_.Add({{"outcome", outcome}});
  }
  for (const char* reason : {"assignment_duration", "submission_timeout"}) {
    agents_timed_out_.Add({{"reason", reason}});
  }
  runs_shut_down_.Add({{"reason", "no_submission_patience"}});
  for (const char* entity : {"agent", "unit", "onboarding_agent"}) {
    illegal_transitions_.Add({{"entity", entity}});
  }
}

void OperatorProbe::PacketReceived(const std::string& packet_type) {
  packets_received_.Add({{"packet_type", packet_type}}).Increment();
}

void OperatorProbe::PacketProcessed(const std::string& packet_type, const std::string& outcome,
                                    double seconds) {
  packets_processed_.Add({{"packet_type", packet_type}, {"outcome", outcome}}).Increment();
  processing_seconds_.Add({{"packet_type", packet_type}}, LatencyBuckets()).Observe(seconds);
}

void OperatorProbe::AgentDetailsResponse(const std::string& response) {
  agent_details_.Add({{"response", response}}).Increment();
}

void OperatorProbe::RegistrationPhase(const std::string& phase, double seconds) {
  registration_phase_seconds_.Add({{"phase", phase}}, LatencyBuckets()).Observe(seconds);
}

void OperatorProbe::OnboardingOutcome(const std::string& outcome) {
  onboarding_outcomes_.Add({{"outcome", outcome}}).Increment();
}

void OperatorProbe::DbCall(const char* method, double seconds, bool ok) {
  db_seconds_.Add({{"method", method}}, LatencyBuckets()).Observe(seconds);
  if (!ok) db_errors_.Add({{"method", method}}).Increment();
}

void OperatorProbe::TransitionRefused(const std::string& entity) {
  illegal_transitions_.Add({{"entity", entity}}).Increment();
}

void OperatorProbe::EnvelopeRejected(const std::string& reason) {
  rejected_.Add({{"reason", reason}}).Increment();
}

void OperatorProbe::SetRouters(double count) { routers_.Set(count); }
void OperatorProbe::SetQueueDepth(double depth) { queue_depth_.Set(depth); }
void OperatorProbe::PacketDequeued(const std::string& packet_type, double waited_seconds) {
  queue_wait_seconds_.Add({{"packet_type", packet_type}}, LatencyBuckets()).Observe(waited_seconds);
}
void OperatorProbe::SetQueueLag(double seconds) { queue_lag_.Set(seconds); }
void OperatorProbe::UnitsLaunched(double count) { units_launched_.Increment(count); }
void OperatorProbe::UnitsWithdrawn(double count) { units_withdrawn_.Increment(count); }
void OperatorProbe::AgentsTimedOut(const std::string& reason, double count) {
  agents_timed_out_.Add({{"reason", reason}}).Increment(count);
}
void OperatorProbe::RunShutDown(const std::string& reason) {
  runs_shut_down_.Add({{"reason", reason}}).Increment();
}

void OperatorProbe::UnitCompleted(std::int64_t task_run_id, double seconds) {
  std::lock_guard lock(completion_runs_mutex_);
  auto it = completion_runs_.find(task_run_id);
  if (it == completion_runs_.end()) {
    auto& histogram = unit_completion_seconds_.Add({{"task_run_id", std::to_string(task_run_id)}},
                                                   CompletionBuckets());
    it = completion_runs_.emplace(task_run_id, CompletionSeries{&histogram, Now()}).first;
  }
  it->second.histogram->Observe(seconds);
}

void OperatorProbe::SetRunCensus(const RunCensus& census) {
  SetCounts(units_by_status_, census.units);
  SetCounts(agents_by_status_, census.agents);
  SetCounts(onboarding_by_status_, census.onboarding_agents);
  // Completion times of runs that ended go with them (a completed run gets no submissions). A
  // series younger than the census may belong to a run the census could not see yet.
  std::map<std::int64_t, bool> live;
  for (const auto& count : census.units) live[count.task_run_id] = true;
  auto settled = Now() - std::chrono::minutes(1);
  std::lock_guard lock(completion_runs_mutex_);
  for (auto it = completion_runs_.begin(); it != completion_runs_.end();) {
    if (live.count(it->first) || it->second.added > settled) {
      ++it;
      continue;
    }
    unit_completion_seconds_.Remove(it->second.histogram);
    it = completion_runs_.erase(it);
  }
}

void OperatorProbe::SetCounts(CensusGauges& gauges, const std::vector<StatusCount>& counts) {
  std::map<SeriesKey, prometheus::Gauge*> now;
  for (const auto& count : counts) {
    SeriesKey key{count.task_run_id, count.status};
    auto found = gauges.series.find(key);
    auto* gauge = found != gauges.series.end()
                      ? found->second
                      : &gauges.family.Add({{"task_run_id", std::to_string(count.task_run_id)},
                                            {"status", count.status}});
    gauge->Set(count.count);
    now.emplace(key, gauge);
  }
  // A status nobody is in any more reads 0 while its run is live; an ended run's series go.
  std::map<std::int64_t, bool> live_runs;
  for (const auto& count : counts) live_runs[count.task_run_id] = true;
  for (auto& [key, gauge] : gauges.series) {
    if (now.count(key)) continue;
    if (live_runs.count(key.first)) {
      gauge->Set(0);
      now.emplace(key, gauge);
    } else {
      gauges.family.Remove(gauge);
    }
  }
  gauges.series = std::move(now);
}

}  // namespace throng::operator_

#include "operator_probe.hpp"

#include <algorithm>
#include <set>

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
      db_seconds_(prometheus::BuildHistogram()
                      .Name("throng_operator_db_latency_seconds")
                      .Help("PostgreSQL call latency, by method")
                      .Register(registry)),
      db_errors_(prometheus::BuildCounter()
                     .Name("throng_operator_db_errors_total")
                     .Help("PostgreSQL calls that failed, by method")
                     .Register(registry)),
      db_workers_(prometheus::BuildGauge()
                      .Name("throng_operator_db_workers")
                      .Help("Database workers by state: busy, idle, disconnected")
                      .Register(registry)),
      db_reconnects_(prometheus::BuildCounter()
                         .Name("throng_operator_db_reconnects_total")
                         .Help("PostgreSQL connections database workers re-established after "
                               "losing them")
                         .Register(registry)
                         .Add({})),
      zmq_messages_(prometheus::BuildCounter()
                        .Name("throng_operator_zmq_messages_total")
                        .Help("ZeroMQ messages from (in) and to (out) routers")
                        .Register(registry)),
      zmq_messages_in_(zmq_messages_.Add({{"direction", "in"}})),
      zmq_messages_out_(zmq_messages_.Add({{"direction", "out"}})),
      zmq_send_failures_(prometheus::BuildCounter()
                             .Name("throng_operator_zmq_send_failures_total")
                             .Help("Messages to routers the ROUTER socket could not send, by "
                                   "reason")
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
      units_launched_(prometheus::BuildCounter()
                          .Name("throng_operator_units_launched_total")
                          .Help("Units launched, by run and unit type: standard (created to "
                                "launched), screening and gold (made for a registration)")
                          .Register(registry)),
      onboarding_agents_launched_(prometheus::BuildCounter()
                                      .Name("throng_operator_onboarding_agents_launched_total")
                                      .Help("Onboarding agents given to workers, by run")
                                      .Register(registry)),
      validation_outcomes_(prometheus::BuildCounter()
                               .Name("throng_operator_validation_outcomes_total")
                               .Help("Answer-key checks of onboarding, screening and gold "
                                     "units, by run, kind and outcome")
                               .Register(registry)),
      submissions_(prometheus::BuildCounter()
                       .Name("throng_operator_submissions_total")
                       .Help("Completed standard units by run and quality: normal, empty, fast")
                       .Register(registry)),
      unit_completion_seconds_(prometheus::BuildHistogram()
                                   .Name("throng_operator_unit_completion_seconds")
                                   .Help("Time from an agent getting a unit to completing it")
                                   .Register(registry)),
      units_by_status_{prometheus::BuildGauge()
                           .Name("throng_operator_run_units")
                           .Help("Units of each live task run, by status")
                           .Register(registry),
                       "status",
                       {}},
      agents_by_status_{prometheus::BuildGauge()
                            .Name("throng_operator_run_agents")
                            .Help("Agents of each live task run, by status")
                            .Register(registry),
                        "status",
                        {}},
      onboarding_by_status_{prometheus::BuildGauge()
                                .Name("throng_operator_run_onboarding_agents")
                                .Help("Onboarding agents of each live task run, by status")
                                .Register(registry),
                            "status",
                            {}},
      active_workers_{prometheus::BuildGauge()
                          .Name("throng_operator_run_active_workers")
                          .Help("Distinct workers with an agent or onboarding agent at work "
                                "(accepted, onboarding, waiting, in task), per live task run")
                          .Register(registry),
                      "",
                      {}},
      quality_thresholds_{prometheus::BuildGauge()
                              .Name("throng_operator_run_quality_threshold")
                              .Help("Each live task run's quality thresholds (its monitoring "
                                    "config), by monitor")
                              .Register(registry),
                          "monitor",
                          {}} {
  // Pre-create the series dashboards query, so that zero-valued series exist from the start.
  for (const char* type : {"register_agent", "submit_unit", "log_error"}) {
    packets_received_.Add({{"packet_type", type}});
  }
  // A latency series made by its first packet would hide that packet (and any in the same
  // scrape) from rate(); every packet type the operator handles starts at 0 instead.
  for (const char* type :
       {"register_agent", "submit_unit", "submit_onboarding", "submit_metadata", "log_error",
        "mephisto_bound_live_update", "alive", "disconnect", "live_update_delivered"}) {
    processing_seconds_.Add({{"packet_type", type}}, LatencyBuckets());
  }
  for (const char* response : {"assigned", "reconnection", "no_available_units", "agent_missing",
                               "not_qualified", "assigned_onboarding"}) {
    agent_details_.Add({{"response", response}});
  }
  for (const char* reason : {"unroutable", "would_block", "error"}) {
    zmq_send_failures_.Add({{"reason", reason}});
  }
  for (const char* state : {"busy", "idle", "disconnected"}) db_workers_.Add({{"state", state}});
  for (const char* reason : {"assignment_duration", "submission_timeout"}) {
    agents_timed_out_.Add({{"reason", reason}});
  }
  runs_shut_down_.Add({{"reason", "no_submission_patience"}});
  for (const char* entity : {"agent", "unit", "onboarding_agent"}) {
    illegal_transitions_.Add({{"entity", entity}});
  }
  for (const char* reason : {"decode", "framing", "kind", "agent_not_connected"}) {
    rejected_.Add({{"reason", reason}});
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

void OperatorProbe::OnboardingAgentLaunched(std::int64_t task_run_id) {
  onboarding_agents_launched_.Update(task_run_id, {}, [](auto& counter) { counter.Increment(); });
}

void OperatorProbe::ValidationOutcome(std::int64_t task_run_id, const std::string& kind,
                                      bool passed) {
  validation_outcomes_.Update(task_run_id,
                              {{"kind", kind}, {"outcome", passed ? "passed" : "failed"}},
                              [](auto& counter) { counter.Increment(); });
  // The other outcome reads 0 rather than missing, so a pass rate of 0 % or 100 % is a number.
  validation_outcomes_.Update(
      task_run_id, {{"kind", kind}, {"outcome", passed ? "failed" : "passed"}}, [](auto&) {});
}

void OperatorProbe::SubmissionClassified(std::int64_t task_run_id, const std::string& quality) {
  submissions_.Update(task_run_id, {{"quality", quality}},
                      [](auto& counter) { counter.Increment(); });
}

void OperatorProbe::DbCall(const char* method, double seconds, bool ok) {
  db_seconds_.Add({{"method", method}}, LatencyBuckets()).Observe(seconds);
  // Made on the first call, so a method's errors read 0 rather than missing.
  auto& errors = db_errors_.Add({{"method", method}});
  if (!ok) errors.Increment();
}

void OperatorProbe::SetDbWorkers(int count) {
  std::lock_guard lock(db_workers_mutex_);
  db_worker_states_.assign(static_cast<std::size_t>(std::max(count, 0)),
                           DbWorkerState::kDisconnected);
  PublishDbWorkerStates();
}

void OperatorProbe::SetDbWorkerState(int worker, DbWorkerState state) {
  std::lock_guard lock(db_workers_mutex_);
  if (worker < 0 || static_cast<std::size_t>(worker) >= db_worker_states_.size()) return;
  db_worker_states_[static_cast<std::size_t>(worker)] = state;
  PublishDbWorkerStates();
}

void OperatorProbe::PublishDbWorkerStates() {
  const std::pair<DbWorkerState, const char*> names[] = {
      {DbWorkerState::kBusy, "busy"},
      {DbWorkerState::kIdle, "idle"},
      {DbWorkerState::kDisconnected, "disconnected"}};
  for (const auto& [state, name] : names) {
    auto in_state = std::count(db_worker_states_.begin(), db_worker_states_.end(), state);
    db_workers_.Add({{"state", name}}).Set(static_cast<double>(in_state));
  }
}

void OperatorProbe::DbReconnected() { db_reconnects_.Increment(); }

void OperatorProbe::ZmqMessageReceived() { zmq_messages_in_.Increment(); }
void OperatorProbe::ZmqMessageSent() { zmq_messages_out_.Increment(); }
void OperatorProbe::ZmqSendFailed(const std::string& reason) {
  zmq_send_failures_.Add({{"reason", reason}}).Increment();
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
void OperatorProbe::UnitsLaunched(std::int64_t task_run_id, const std::string& unit_type,
                                  double count) {
  units_launched_.Update(task_run_id, {{"unit_type", unit_type}},
                         [count](auto& counter) { counter.Increment(count); });
}
void OperatorProbe::UnitsWithdrawn(double count) { units_withdrawn_.Increment(count); }
void OperatorProbe::AgentsTimedOut(const std::string& reason, double count) {
  agents_timed_out_.Add({{"reason", reason}}).Increment(count);
}
void OperatorProbe::RunShutDown(const std::string& reason) {
  runs_shut_down_.Add({{"reason", reason}}).Increment();
}

void OperatorProbe::UnitCompleted(std::int64_t task_run_id, double seconds) {
  unit_completion_seconds_.Update(
      task_run_id, {}, [seconds](auto& histogram) { histogram.Observe(seconds); },
      CompletionBuckets());
}

void OperatorProbe::SetRunCensus(const RunCensus& census) {
  SetValues(units_by_status_, census.units, census.live_runs);
  SetValues(agents_by_status_, census.agents, census.live_runs);
  SetValues(onboarding_by_status_, census.onboarding_agents, census.live_runs);
  SetValues(active_workers_, census.active_workers, census.live_runs);
  SetValues(quality_thresholds_, census.quality_thresholds, census.live_runs);
  // Counters and completion times of runs that ended go with them (an ended run gets no more
  // events). A series younger than the census may belong to a run it could not see yet.
  std::set<std::int64_t> live(census.live_runs.begin(), census.live_runs.end());
  // Every live run's submissions by quality exist from its first census at 0, so increase()
  // counts its first submission and "no submissions" is a 0, not a missing series.
  for (auto run : live) {
    for (const char* quality : {"normal", "empty", "fast"}) {
      submissions_.Update(run, {{"quality", quality}}, [](auto&) {});
    }
  }
  auto settled = Now() - std::chrono::minutes(1);
  units_launched_.RemoveEnded(live, settled);
  onboarding_agents_launched_.RemoveEnded(live, settled);
  validation_outcomes_.RemoveEnded(live, settled);
  submissions_.RemoveEnded(live, settled);
  unit_completion_seconds_.RemoveEnded(live, settled);
}

void OperatorProbe::SetValues(CensusGauges& gauges, const std::vector<RunValue>& values,
                              const std::vector<std::int64_t>& live_runs) {
  std::map<std::pair<std::int64_t, std::string>, prometheus::Gauge*> now;
  for (const auto& value : values) {
    std::pair<std::int64_t, std::string> key{value.task_run_id, value.label};
    auto found = gauges.series.find(key);
    prometheus::Gauge* gauge = nullptr;
    if (found != gauges.series.end()) {
      gauge = found->second;
    } else {
      prometheus::Labels labels{{"task_run_id", std::to_string(value.task_run_id)}};
      if (!gauges.label.empty()) labels.emplace(gauges.label, value.label);
      gauge = &gauges.family.Add(labels);
    }
    gauge->Set(value.value);
    now.emplace(key, gauge);
  }
  // A status nobody is in any more reads 0 while its run is live; an ended run's series go.
  std::set<std::int64_t> live(live_runs.begin(), live_runs.end());
  for (auto& [key, gauge] : gauges.series) {
    if (now.count(key)) continue;
    if (live.count(key.first)) {
      gauge->Set(0);
      now.emplace(key, gauge);
    } else {
      gauges.family.Remove(gauge);
    }
  }
  gauges.series = std::move(now);
}

}  // namespace throng::operator_

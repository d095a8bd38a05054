#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "run_census.hpp"

namespace throng::operator_ {

// Every metric the operator exports, declared in one place and used as verbs.
// Thread-safe (prometheus-cpp metrics are).
class OperatorProbe {
 public:
  explicit OperatorProbe(prometheus::Registry& registry);

  void PacketReceived(const std::string& packet_type);
  void PacketProcessed(const std::string& packet_type, const std::string& outcome, double seconds);
  void AgentDetailsResponse(const std::string& response);
  // One step of a registration: filter_units, valid_units (in PostgreSQL), init_data (a live
  // run's history and waiting room).
  void RegistrationPhase(const std::string& phase, double seconds);
  // launched (an onboarding agent was created) | passed | failed (its answers were checked).
  void OnboardingOutcome(const std::string& outcome);
  void DbCall(const char* method, double seconds, bool ok);
  // A status change the database refused (SPEC O5); entity: agent | unit | onboarding_agent.
  void TransitionRefused(const std::string& entity);
  void EnvelopeRejected(const std::string& reason);
  void SetRouters(double count);
  void SetQueueDepth(double depth);
  // How long a packet waited for a database worker, and the oldest waiting one's age (the lag).
  void PacketDequeued(const std::string& packet_type, double waited_seconds);
  void SetQueueLag(double seconds);
  void UnitsLaunched(double count);
  void UnitsWithdrawn(double count);
  // reason: assignment_duration | submission_timeout
  void AgentsTimedOut(const std::string& reason, double count);
  // A run shut down early; reason: no_submission_patience.
  void RunShutDown(const std::string& reason);
  // Time from an agent getting its unit to the submission that completed it, per run.
  void UnitCompleted(std::int64_t task_run_id, double seconds);
  // Units and agents of each live run by status; series of runs that ended are removed.
  // Called from one thread (maintenance).
  void SetRunCensus(const RunCensus& census);

 private:
  prometheus::Registry& registry_;
  prometheus::Family<prometheus::Counter>& packets_received_;
  prometheus::Family<prometheus::Counter>& packets_processed_;
  prometheus::Family<prometheus::Histogram>& processing_seconds_;
  prometheus::Family<prometheus::Counter>& agent_details_;
  prometheus::Family<prometheus::Histogram>& registration_phase_seconds_;
  prometheus::Family<prometheus::Counter>& onboarding_outcomes_;
  prometheus::Family<prometheus::Histogram>& db_seconds_;
  prometheus::Family<prometheus::Counter>& db_errors_;
  prometheus::Family<prometheus::Counter>& illegal_transitions_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& routers_;
  prometheus::Gauge& queue_depth_;
  prometheus::Family<prometheus::Histogram>& queue_wait_seconds_;
  prometheus::Gauge& queue_lag_;
  prometheus::Counter& units_launched_;
  prometheus::Counter& units_withdrawn_;
  prometheus::Family<prometheus::Counter>& agents_timed_out_;
  prometheus::Family<prometheus::Counter>& runs_shut_down_;
  prometheus::Family<prometheus::Histogram>& unit_completion_seconds_;
  // Runs whose completion-time series exist; the maintenance thread drops those of ended runs.
  std::mutex completion_runs_mutex_;
  struct CompletionSeries {
    prometheus::Histogram* histogram;
    std::chrono::steady_clock::time_point added;
  };
  std::map<std::int64_t, CompletionSeries> completion_runs_;
  using SeriesKey = std::pair<std::int64_t, std::string>;  // (task run, status)
  struct CensusGauges {
    prometheus::Family<prometheus::Gauge>& family;
    std::map<SeriesKey, prometheus::Gauge*> series;
  };
  void SetCounts(CensusGauges& gauges, const std::vector<StatusCount>& counts);
  CensusGauges units_by_status_;
  CensusGauges agents_by_status_;
  CensusGauges onboarding_by_status_;
};

}  // namespace throng::operator_

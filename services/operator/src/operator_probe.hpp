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
#include <vector>

#include "run_census.hpp"
#include "run_series.hpp"

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
  // A registration gave a worker an onboarding agent.
  void OnboardingAgentLaunched(std::int64_t task_run_id);
  // An answer-key check; kind: onboarding | screening | gold.
  void ValidationOutcome(std::int64_t task_run_id, const std::string& kind, bool passed);
  // A completed standard unit; quality: normal | empty | fast.
  void SubmissionClassified(std::int64_t task_run_id, const std::string& quality);
  void DbCall(const char* method, double seconds, bool ok);
  // The database workers: how many there are (all disconnected until they connect), each
  // one's state, and connections they re-established after losing them.
  enum class DbWorkerState { kBusy, kIdle, kDisconnected };
  void SetDbWorkers(int count);
  void SetDbWorkerState(int worker, DbWorkerState state);
  void DbReconnected();
  // ZeroMQ messages from and to routers, and messages the ROUTER socket could not send;
  // reason: unroutable | would_block | error.
  void ZmqMessageReceived();
  void ZmqMessageSent();
  void ZmqSendFailed(const std::string& reason);
  // A status change the database refused (SPEC O5); entity: agent | unit | onboarding_agent.
  void TransitionRefused(const std::string& entity);
  void EnvelopeRejected(const std::string& reason);
  void SetRouters(double count);
  void SetQueueDepth(double depth);
  // How long a packet waited for a database worker, and the oldest waiting one's age (the lag).
  void PacketDequeued(const std::string& packet_type, double waited_seconds);
  void SetQueueLag(double seconds);
  // unit_type: standard (maintenance moved them from created to launched) | screening | gold
  // (made and assigned by a registration).
  void UnitsLaunched(std::int64_t task_run_id, const std::string& unit_type, double count);
  void UnitsWithdrawn(double count);
  // reason: assignment_duration | submission_timeout
  void AgentsTimedOut(const std::string& reason, double count);
  // A run shut down early; reason: no_submission_patience.
  void RunShutDown(const std::string& reason);
  // Time from an agent getting its unit to the submission that completed it, per run.
  void UnitCompleted(std::int64_t task_run_id, double seconds);
  // Units, agents, active workers and quality thresholds of each live run; every per-run
  // series of runs that ended is removed. Called from one thread (maintenance).
  void SetRunCensus(const RunCensus& census);

 private:
  prometheus::Registry& registry_;
  prometheus::Family<prometheus::Counter>& packets_received_;
  prometheus::Family<prometheus::Counter>& packets_processed_;
  prometheus::Family<prometheus::Histogram>& processing_seconds_;
  prometheus::Family<prometheus::Counter>& agent_details_;
  prometheus::Family<prometheus::Histogram>& registration_phase_seconds_;
  prometheus::Family<prometheus::Histogram>& db_seconds_;
  prometheus::Family<prometheus::Counter>& db_errors_;
  prometheus::Family<prometheus::Gauge>& db_workers_;
  prometheus::Counter& db_reconnects_;
  prometheus::Family<prometheus::Counter>& zmq_messages_;
  prometheus::Counter& zmq_messages_in_;
  prometheus::Counter& zmq_messages_out_;
  prometheus::Family<prometheus::Counter>& zmq_send_failures_;
  prometheus::Family<prometheus::Counter>& illegal_transitions_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& routers_;
  prometheus::Gauge& queue_depth_;
  prometheus::Family<prometheus::Histogram>& queue_wait_seconds_;
  prometheus::Gauge& queue_lag_;
  prometheus::Counter& units_withdrawn_;
  prometheus::Family<prometheus::Counter>& agents_timed_out_;
  prometheus::Family<prometheus::Counter>& runs_shut_down_;
  // Per-run series, removed a minute after their run ended.
  RunSeries<prometheus::Counter> units_launched_;
  RunSeries<prometheus::Counter> onboarding_agents_launched_;
  RunSeries<prometheus::Counter> validation_outcomes_;
  RunSeries<prometheus::Counter> submissions_;
  RunSeries<prometheus::Histogram> unit_completion_seconds_;

  std::mutex db_workers_mutex_;
  std::vector<DbWorkerState> db_worker_states_;
  void PublishDbWorkerStates();

  struct CensusGauges {
    prometheus::Family<prometheus::Gauge>& family;
    std::string label;  // the label besides task_run_id; empty for none
    std::map<std::pair<std::int64_t, std::string>, prometheus::Gauge*> series;
  };
  void SetValues(CensusGauges& gauges, const std::vector<RunValue>& values,
                 const std::vector<std::int64_t>& live_runs);
  CensusGauges units_by_status_;
  CensusGauges agents_by_status_;
  CensusGauges onboarding_by_status_;
  CensusGauges active_workers_;
  CensusGauges quality_thresholds_;
};

}  // namespace throng::operator_

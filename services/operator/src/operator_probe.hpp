#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
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
  // launched (an onboarding agent was created) | passed | failed (its answers were checked).
  void OnboardingOutcome(const std::string& outcome);
  void DbCall(const char* method, double seconds, bool ok);
  // A status change the database refused (SPEC O5); entity: agent | unit | onboarding_agent.
  void TransitionRefused(const std::string& entity);
  void EnvelopeRejected(const std::string& reason);
  void SetRouters(double count);
  void SetQueueDepth(double depth);
  void UnitsLaunched(double count);
  void AgentsTimedOut(double count);
  // Units and agents of each live run by status; series of runs that ended are removed.
  // Called from one thread (maintenance).
  void SetRunCensus(const RunCensus& census);

 private:
  prometheus::Registry& registry_;
  prometheus::Family<prometheus::Counter>& packets_received_;
  prometheus::Family<prometheus::Counter>& packets_processed_;
  prometheus::Family<prometheus::Histogram>& processing_seconds_;
  prometheus::Family<prometheus::Counter>& agent_details_;
  prometheus::Family<prometheus::Counter>& onboarding_outcomes_;
  prometheus::Family<prometheus::Histogram>& db_seconds_;
  prometheus::Family<prometheus::Counter>& db_errors_;
  prometheus::Family<prometheus::Counter>& illegal_transitions_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& routers_;
  prometheus::Gauge& queue_depth_;
  prometheus::Counter& units_launched_;
  prometheus::Counter& agents_timed_out_;
  using SeriesKey = std::pair<std::int64_t, std::string>;  // (task run, status)
  struct CensusGauges {
    prometheus::Family<prometheus::Gauge>& family;
    std::map<SeriesKey, prometheus::Gauge*> series;
  };
  void SetCounts(CensusGauges& gauges, const std::vector<StatusCount>& counts);
  CensusGauges units_by_status_;
  CensusGauges agents_by_status_;
};

}  // namespace throng::operator_

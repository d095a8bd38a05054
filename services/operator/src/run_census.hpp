#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace throng::operator_ {

// One per-run gauge value: the run, the value of the series' other label (a status, a monitor;
// empty for a gauge labelled by the run alone) and the value.
struct RunValue {
  std::int64_t task_run_id = 0;
  std::string label;
  double value = 0;
};

struct RunCensus {
  std::vector<std::int64_t> live_runs;
  std::vector<RunValue> units;              // by status
  std::vector<RunValue> agents;             // by status
  std::vector<RunValue> onboarding_agents;  // by status
  // Distinct workers with an agent or onboarding agent at work, one value per live run.
  std::vector<RunValue> active_workers;
  std::vector<RunValue> quality_thresholds;  // by monitor
};

// Counts the units and agents of every live run by status, for the per-run gauges, and reads
// the runs' quality thresholds. Costs a scan of the live runs' units, so the operator takes it
// every few seconds, not per packet.
RunCensus TakeRunCensus(pqxx::connection& connection);

}  // namespace throng::operator_

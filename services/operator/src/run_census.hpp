#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace throng::operator_ {

// How many units or agents of one task run are in one status.
struct StatusCount {
  std::int64_t task_run_id = 0;
  std::string status;
  double count = 0;
};

struct RunCensus {
  std::vector<StatusCount> units;
  std::vector<StatusCount> agents;
  std::vector<StatusCount> onboarding_agents;
};

// Counts the units and agents of every live run by status, for the per-run gauges. Costs a scan
// of the live runs' units, so the operator takes it every few seconds, not per packet.
RunCensus TakeRunCensus(pqxx::connection& connection);

}  // namespace throng::operator_

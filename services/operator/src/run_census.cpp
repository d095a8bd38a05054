#include "run_census.hpp"

#include "quality_monitors.hpp"

namespace throng::operator_ {

namespace {

std::vector<RunValue> Values(pqxx::work& tx, const std::string& query) {
  std::vector<RunValue> values;
  for (const auto& row : tx.exec(query)) {
    values.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<double>()});
  }
  return values;
}

// Every live run's exported thresholds, one row per monitor; the columns come from the fixed
// table of monitoring settings.
std::string QualityThresholdsQuery(pqxx::work& tx) {
  std::string rows;
  for (const auto& setting : QualityMonitorSettings()) {
    if (!setting.exported) continue;
    rows += std::string(rows.empty() ? "" : ", ") + "(" + tx.quote(setting.key) + ", r." +
            tx.quote_name(setting.key) + ")";
  }
  // sql-safe: monitor names and columns from the fixed table of settings, quoted by the driver.
  return "SELECT r.task_run_id, m.monitor, m.value FROM task_runs r "
         "CROSS JOIN LATERAL (VALUES " +
         rows + ") m (monitor, value) WHERE NOT r.is_completed";
}

}  // namespace

RunCensus TakeRunCensus(pqxx::connection& connection) {
  pqxx::work tx(connection);
  RunCensus census;
  for (const auto& row : tx.exec("SELECT task_run_id FROM task_runs WHERE NOT is_completed")) {
    census.live_runs.push_back(row[0].as<std::int64_t>());
  }
  census.units = Values(tx,
                        "SELECT u.task_run_id, u.status, count(*) FROM units u "
                        "JOIN task_runs r ON r.task_run_id = u.task_run_id "
                        "WHERE NOT r.is_completed GROUP BY 1, 2");
  census.agents = Values(tx,
                         "SELECT a.task_run_id, a.status, count(*) FROM agents a "
                         "JOIN task_runs r ON r.task_run_id = a.task_run_id "
                         "WHERE NOT r.is_completed GROUP BY 1, 2");
  census.onboarding_agents = Values(tx,
                                    "SELECT o.task_run_id, o.status, count(*) "
                                    "FROM onboarding_agents o "
                                    "JOIN task_runs r ON r.task_run_id = o.task_run_id "
                                    "WHERE NOT r.is_completed GROUP BY 1, 2");
  // Mephisto's estimated active worker count: workers holding an agent still at work, counted
  // once however many agents (or onboarding agents) they have.
  census.active_workers =
      Values(tx,
             "SELECT r.task_run_id, '', count(DISTINCT w.worker_id) FROM task_runs r "
             "LEFT JOIN (SELECT a.task_run_id, a.worker_id FROM agents a"
             "           WHERE a.status IN ('accepted', 'onboarding', 'waiting', 'in task')"
             "           UNION ALL"
             "           SELECT o.task_run_id, o.worker_id FROM onboarding_agents o"
             "           WHERE o.status IN ('accepted', 'onboarding', 'waiting', 'in task')) w"
             " ON w.task_run_id = r.task_run_id "
             "WHERE NOT r.is_completed GROUP BY 1");
  census.quality_thresholds = Values(tx, QualityThresholdsQuery(tx));
  tx.commit();
  return census;
}

}  // namespace throng::operator_

#include "run_census.hpp"

namespace throng::operator_ {

namespace {

std::vector<StatusCount> Counts(pqxx::work& tx, const char* query) {
  std::vector<StatusCount> counts;
  for (const auto& row : tx.exec(query)) {
    counts.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<double>()});
  }
  return counts;
}

}  // namespace

RunCensus TakeRunCensus(pqxx::connection& connection) {
  pqxx::work tx(connection);
  RunCensus census;
  census.units = Counts(tx,
                        "SELECT u.task_run_id, u.status, count(*) FROM units u "
                        "JOIN task_runs r ON r.task_run_id = u.task_run_id "
                        "WHERE NOT r.is_completed GROUP BY 1, 2");
  census.agents = Counts(tx,
                         "SELECT a.task_run_id, a.status, count(*) FROM agents a "
                         "JOIN task_runs r ON r.task_run_id = a.task_run_id "
                         "WHERE NOT r.is_completed GROUP BY 1, 2");
  census.onboarding_agents = Counts(tx,
                                    "SELECT o.task_run_id, o.status, count(*) "
                                    "FROM onboarding_agents o "
                                    "JOIN task_runs r ON r.task_run_id = o.task_run_id "
                                    "WHERE NOT r.is_completed GROUP BY 1, 2");
  tx.commit();
  return census;
}

}  // namespace throng::operator_

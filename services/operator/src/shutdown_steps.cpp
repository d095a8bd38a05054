#include "shutdown_steps.hpp"

namespace throng::operator_ {

int UnlaunchUnits(pqxx::connection& connection) {
  pqxx::work tx(connection);
  auto result = tx.exec(
      "UPDATE units u SET status = 'created' FROM task_runs r "
      "WHERE u.task_run_id = r.task_run_id AND NOT r.is_completed AND u.status = 'launched'");
  tx.commit();
  return static_cast<int>(result.affected_rows());
}

long AssignedUnits(pqxx::connection& connection) {
  pqxx::work tx(connection);
  auto count = tx.exec1(
                     "SELECT count(*) FROM units u JOIN task_runs r "
                     "ON r.task_run_id = u.task_run_id "
                     "WHERE NOT r.is_completed AND u.status = 'assigned'")[0]
                   .as<long>();
  tx.commit();
  return count;
}

int DisconnectActiveAgents(pqxx::connection& connection) {
  pqxx::work tx(connection);
  auto count = tx.exec1("SELECT throng_disconnect_active_agents()")[0].as<int>();
  tx.commit();
  return count;
}

}  // namespace throng::operator_

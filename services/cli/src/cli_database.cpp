#include "cli_database.hpp"

#include "embedded_migrations.hpp"
#include "migrator.hpp"

namespace throng::cli {

bool SchemaReady(pqxx::connection& db, std::ostream& err) {
  auto current = operator_::CurrentSchemaVersion(db);
  auto latest = operator_::EmbeddedMigrations().back().version;
  if (current < latest) {
    err << "throng: the database schema is at version " << current << ", this CLI needs " << latest
        << "; run `throng db migrate` (or start throng-operator) first\n";
    return false;
  }
  return true;
}

std::optional<std::int64_t> ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

std::optional<RunRow> FindRun(pqxx::transaction_base& tx, std::int64_t task_run_id,
                              std::ostream& err) {
  auto rows = tx.exec_params(
      "SELECT r.task_run_id, r.task_id, t.task_name, r.provider_type, q.requester_name,"
      " r.is_completed, r.init_params #>> '{}' "
      "FROM task_runs r JOIN tasks t ON t.task_id = r.task_id"
      " JOIN requesters q ON q.requester_id = r.requester_id WHERE r.task_run_id = $1",
      task_run_id);
  if (rows.empty()) {
    err << "throng: no task run " << task_run_id << "; `throng runs` lists them\n";
    return std::nullopt;
  }
  const auto& row = rows[0];
  return RunRow{row[0].as<std::int64_t>(),
                row[1].as<std::int64_t>(),
                row[2].as<std::string>(),
                row[3].as<std::string>(),
                row[4].as<std::string>(),
                row[5].as<bool>(),
                row[6].is_null() ? std::string() : row[6].as<std::string>()};
}

}  // namespace throng::cli

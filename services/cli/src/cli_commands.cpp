#include "cli_commands.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>

#include "embedded_migrations.hpp"
#include "migrator.hpp"
#include "run_settings.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"

namespace throng::cli {

using nlohmann::json;

namespace {

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

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

int Launch(pqxx::connection& db, const std::string& config_path,
           const std::vector<std::string>& overrides, const std::string& data_dir, bool as_json,
           std::ostream& out, std::ostream& err) {
  auto spec = operator_::LoadTaskRunSpec(config_path, overrides);
  if (!spec) {
    err << "throng: " << spec.error().message << "\n";
    return 1;
  }
  if (!SchemaReady(db, err)) return 1;
  auto created = operator_::CreateTaskRun(db, *spec, data_dir);
  if (!created) {
    err << "throng: " << created.error().message << "\n";
    return 1;
  }
  if (as_json) {
    out << json{{"task_run_id", std::to_string(created->task_run_id)},
                {"task_name", spec->task_name},
                {"assignments", created->assignments},
                {"units", created->units},
                {"static_dir", created->static_dir}}
               .dump()
        << "\n";
  } else {
    out << "launched task run " << created->task_run_id << " (" << spec->task_name
        << "): " << created->units << " units in " << created->assignments << " assignments\n";
  }
  return 0;
}

int Runs(pqxx::connection& db, bool as_json, std::ostream& out, std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  pqxx::read_transaction tx(db);
  auto rows = tx.exec(
      "SELECT r.task_run_id, t.task_name, r.is_completed, r.creation_date::text,"
      " count(u.unit_id) FILTER (WHERE u.status = 'created'),"
      " count(u.unit_id) FILTER (WHERE u.status = 'launched'),"
      " count(u.unit_id) FILTER (WHERE u.status = 'assigned'),"
      " count(u.unit_id) FILTER (WHERE u.status = 'completed'),"
      " count(u.unit_id) FILTER (WHERE u.status IN ('accepted', 'rejected', 'soft_rejected')),"
      " count(u.unit_id) FILTER (WHERE u.status = 'expired'),"
      " count(u.unit_id) "
      "FROM task_runs r JOIN tasks t ON t.task_id = r.task_id "
      "LEFT JOIN units u ON u.task_run_id = r.task_run_id "
      "GROUP BY r.task_run_id, t.task_name ORDER BY r.task_run_id DESC");
  if (as_json) {
    json runs = json::array();
    for (const auto& row : rows) {
      runs.push_back({{"task_run_id", row[0].as<std::string>()},
                      {"task_name", row[1].as<std::string>()},
                      {"status", row[2].as<bool>() ? "completed" : "live"},
                      {"created", row[3].as<std::string>()},
                      {"units",
                       {{"created", row[4].as<long>()},
                        {"launched", row[5].as<long>()},
                        {"assigned", row[6].as<long>()},
                        {"completed", row[7].as<long>()},
                        {"reviewed", row[8].as<long>()},
                        {"expired", row[9].as<long>()},
                        {"total", row[10].as<long>()}}}});
    }
    out << runs.dump() << "\n";
    return 0;
  }
  if (rows.empty()) {
    out << "no task runs yet; start one with `throng launch <config.yaml>`\n";
    return 0;
  }
  out << std::left << std::setw(8) << "RUN" << std::setw(28) << "TASK" << std::setw(11) << "STATUS"
      << std::right << std::setw(9) << "CREATED" << std::setw(10) << "LAUNCHED" << std::setw(10)
      << "ASSIGNED" << std::setw(11) << "COMPLETED" << std::setw(10) << "REVIEWED" << std::setw(9)
      << "EXPIRED" << std::setw(8) << "TOTAL"
      << "\n";
  for (const auto& row : rows) {
    out << std::left << std::setw(8) << row[0].as<std::string>() << std::setw(28)
        << row[1].as<std::string>().substr(0, 27) << std::setw(11)
        << (row[2].as<bool>() ? "completed" : "live") << std::right << std::setw(9)
        << row[4].as<long>() << std::setw(10) << row[5].as<long>() << std::setw(10)
        << row[6].as<long>() << std::setw(11) << row[7].as<long>() << std::setw(10)
        << row[8].as<long>() << std::setw(9) << row[9].as<long>() << std::setw(8)
        << row[10].as<long>() << "\n";
  }
  return 0;
}

int Export(pqxx::connection& db, const std::string& run_or_task, const std::string& format,
           std::ostream& out, std::ostream& err) {
  if (format != "jsonl" && format != "csv") {
    err << "throng: --format must be jsonl or csv, not '" << format << "'\n";
    return 2;
  }
  if (!SchemaReady(db, err)) return 1;
  pqxx::read_transaction tx(db);
  bool numeric =
      !run_or_task.empty() && run_or_task.find_first_not_of("0123456789") == std::string::npos;
  auto runs = tx.exec_params(
      "SELECT r.task_run_id FROM task_runs r JOIN tasks t ON t.task_id = r.task_id "
      "WHERE ($1 AND r.task_run_id::text = $2) OR t.task_name = $2",
      numeric, run_or_task);
  if (runs.empty()) {
    err << "throng: no task run with id or task name '" << run_or_task
        << "'; `throng runs` lists them\n";
    return 1;
  }
  auto rows = tx.exec_params(
      "SELECT r.task_run_id::text, t.task_name, u.assignment_id::text, u.unit_id::text,"
      " u.unit_index, a.agent_id::text, w.worker_name, a.status, u.status,"
      " d.init_data::text, d.submission::text, d.submitted_at::text "
      "FROM units u JOIN task_runs r ON r.task_run_id = u.task_run_id "
      "JOIN tasks t ON t.task_id = r.task_id "
      "JOIN agents a ON a.unit_id = u.unit_id AND a.status = 'completed' "
      "JOIN workers w ON w.worker_id = a.worker_id "
      "JOIN agent_data d ON d.agent_id = a.agent_id "
      "WHERE ($1 AND r.task_run_id::text = $2) OR t.task_name = $2 "
      "ORDER BY u.task_run_id, u.unit_id",
      numeric, run_or_task);
  if (format == "csv") {
    out << "task_run_id,task_name,assignment_id,unit_id,unit_index,agent_id,worker_name,"
           "agent_status,unit_status,init_data,submission,submitted_at\n";
  }
  for (const auto& row : rows) {
    if (format == "jsonl") {
      out << json{{"task_run_id", row[0].as<std::string>()},
                  {"task_name", row[1].as<std::string>()},
                  {"assignment_id", row[2].as<std::string>()},
                  {"unit_id", row[3].as<std::string>()},
                  {"unit_index", row[4].as<int>()},
                  {"agent_id", row[5].as<std::string>()},
                  {"worker_name", row[6].as<std::string>()},
                  {"agent_status", row[7].as<std::string>()},
                  {"unit_status", row[8].as<std::string>()},
                  {"init_data", json::parse(row[9].as<std::string>())},
                  {"data", json::parse(row[10].as<std::string>())},
                  {"submitted_at", row[11].as<std::string>()}}
                 .dump()
          << "\n";
    } else {
      for (int c = 0; c < 12; ++c) {
        if (c) out << ",";
        out << CsvField(row[c].is_null() ? "" : row[c].as<std::string>());
      }
      out << "\n";
    }
  }
  return 0;
}

int Set(pqxx::connection& db, const std::string& run, const std::vector<std::string>& assignments,
        bool as_json, std::ostream& out, std::ostream& err) {
  if (run.empty() || run.size() > 18 || run.find_first_not_of("0123456789") != std::string::npos) {
    err << "throng: '" << run << "' is not a task run id; `throng runs` lists them\n";
    return 2;
  }
  if (!SchemaReady(db, err)) return 1;
  auto changes = operator_::ChangeRunSettings(db, std::stoll(run), assignments);
  if (!changes) {
    err << "throng: " << changes.error().message << "\n";
    return 1;
  }
  if (as_json) {
    json list = json::array();
    for (const auto& change : *changes) {
      list.push_back(
          {{"setting", change.key}, {"old", change.old_value}, {"new", change.new_value}});
    }
    out << json{{"task_run_id", run}, {"changes", list}}.dump() << "\n";
    return 0;
  }
  for (const auto& change : *changes) {
    out << "task run " << run << ": " << change.key << " " << change.old_value << " -> "
        << change.new_value << "\n";
  }
  return 0;
}

int DbMigrate(pqxx::connection& db, std::ostream& out, std::ostream& err) {
  auto report = operator_::ApplyMigrations(db, operator_::EmbeddedMigrations());
  if (!report) {
    err << "throng: " << report.error().message << "\n";
    return 1;
  }
  out << "schema at version " << report->current_version << " (" << report->applied
      << " applied now)\n";
  return 0;
}

int DbStatus(pqxx::connection& db, std::ostream& out, std::ostream&) {
  auto current = operator_::CurrentSchemaVersion(db);
  auto latest = operator_::EmbeddedMigrations().back().version;
  out << "schema version " << current << " of " << latest
      << (current < latest ? " (run `throng db migrate`)" : " (up to date)") << "\n";
  return current < latest ? 1 : 0;
}

}  // namespace throng::cli

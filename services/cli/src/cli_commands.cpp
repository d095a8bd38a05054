#include "cli_commands.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "cli_database.hpp"
#include "embedded_migrations.hpp"
#include "migrator.hpp"
#include "run_settings.hpp"
#include "task_run_creator.hpp"
#include "task_run_spec.hpp"
#include "worker_link.hpp"

namespace throng::cli {

using nlohmann::json;

namespace {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// One row per exported unit of the runs (`runs`: an SQL bigint[] literal), in kExportColumns'
// order; unit order. Without `all_units` only completed or reviewed units with a submission.
std::string ExportQuery(const std::string& runs, bool all_units) {
  const char* iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";
  std::string join = all_units ? "LEFT JOIN" : "JOIN";
  // sql-safe: `runs` holds run ids read from the database, `join` one of two fixed words; a
  // cursor (icursorstream) takes no parameters.
  return "SELECT u.task_run_id::text, t.task_name, u.assignment_id::text, u.unit_id::text,"
         " u.unit_index, a.agent_id::text, w.worker_name, w.provider_type, a.status, u.status,"
         " to_char(a.creation_date AT TIME ZONE 'UTC', " +
         std::string(iso) + "), to_char(d.submitted_at AT TIME ZONE 'UTC', " + iso +
         "), extract(epoch FROM d.submitted_at - a.creation_date)::double precision,"
         " d.init_data::text, d.submission::text, d.metadata::text,"
         " CASE WHEN d.submission IS NULL THEN NULL"
         " WHEN jsonb_typeof(d.submission -> 'files') = 'array' THEN d.submission -> 'files'"
         " ELSE '[]'::jsonb END::text "
         "FROM units u JOIN tasks t ON t.task_id = u.task_id " +
         join + " agents a ON a.agent_id = u.agent_id " + join +
         " workers w ON w.worker_id = a.worker_id " + join +
         " agent_data d ON d.agent_id = a.agent_id "
         "WHERE u.task_run_id = ANY(" +
         runs + ")" +
         (all_units ? std::string()
                    : " AND u.status IN ('completed', 'accepted', 'rejected', "
                      "'soft_rejected') AND d.submitted_at IS NOT NULL") +
         " ORDER BY u.task_run_id, u.unit_id";
}

const char* const kExportColumns[] = {
    "task_run_id",    "task_name",     "assignment_id", "unit_id",     "unit_index", "agent_id",
    "worker_name",    "provider_type", "agent_status",  "unit_status", "started_at", "submitted_at",
    "seconds_worked", "init_data",     "data",          "metadata",    "files"};
constexpr int kExportColumnCount = sizeof(kExportColumns) / sizeof(kExportColumns[0]);

}  // namespace

int Launch(pqxx::connection& db, const std::string& config_path,
           const std::vector<std::string>& overrides, const std::string& data_dir,
           const std::string& worker_url, bool as_json, std::ostream& out, std::ostream& err) {
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
  auto link = WorkerLink(spec->public_url.empty() ? worker_url : spec->public_url,
                         created->task_run_id, spec->provider.type);
  if (as_json) {
    out << json{{"task_run_id", std::to_string(created->task_run_id)},
                {"task_name", spec->task_name},
                {"assignments", created->assignments},
                {"units", created->units},
                {"static_dir", created->static_dir},
                {"worker_link", link}}
               .dump()
        << "\n";
  } else {
    out << "launched task run " << created->task_run_id << " (" << spec->task_name
        << "): " << created->units << " units in " << created->assignments << " assignments\n"
        << "worker link: " << link << "\n"
        << "follow it with `throng watch " << created->task_run_id << "`\n";
  }
  return 0;
}

int Runs(pqxx::connection& db, const std::optional<std::string>& task_name, bool as_json,
         std::ostream& out, std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  pqxx::read_transaction tx(db);
  auto rows = tx.exec_params(
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
      "WHERE $1::text IS NULL OR t.task_name = $1 "
      "GROUP BY r.task_run_id, t.task_name ORDER BY r.task_run_id DESC",
      task_name);
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
    if (task_name) {
      out << "no task runs of task '" << *task_name << "'\n";
    } else {
      out << "no task runs yet; start one with `throng launch <config.yaml>`\n";
    }
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

bool IsExportFormat(const std::string& format) { return format == "jsonl" || format == "csv"; }

int Export(pqxx::connection& db, const ExportRequest& request,
           const std::optional<std::string>& out_path, std::ostream& out, std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  const auto& key = request.run_or_task;
  bool numeric =
      !key.empty() && key.size() <= 18 && key.find_first_not_of("0123456789") == std::string::npos;
  if (request.by_run_id && !numeric) {
    err << "throng: --run takes a task run id (a number), not '" << key
        << "'; `throng runs` lists them\n";
    return 1;
  }
  pqxx::read_transaction tx(db);
  auto found = tx.exec_params(
      "SELECT r.task_run_id FROM task_runs r JOIN tasks t ON t.task_id = r.task_id "
      "WHERE ($1 AND r.task_run_id::text = $2) OR (NOT $3 AND t.task_name = $2) "
      "ORDER BY r.task_run_id",
      numeric, key, request.by_run_id);
  if (found.empty()) {
    err << "throng: no task run with " << (request.by_run_id ? "id" : "id or task name") << " '"
        << key << "'; `throng runs` lists them\n";
    return 1;
  }
  // Run ids are numbers from the database: safe to write into the cursor's query.
  std::string runs = "'{";
  for (const auto& row : found) {
    if (runs.size() > 2) runs += ",";
    runs += row[0].as<std::string>();
  }
  runs += "}'::bigint[]";

  std::ofstream file;
  std::string tmp_path;
  std::ostream* sink = &out;
  if (out_path) {
    tmp_path = *out_path + ".tmp";
    file.open(tmp_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "throng: cannot write '" << *out_path << "' (" << std::strerror(errno)
          << "); choose a writable --out\n";
      return 1;
    }
    sink = &file;
  }
  auto give_up = [&](const std::string& why) {
    if (out_path) {
      file.close();
      std::remove(tmp_path.c_str());
    }
    err << "throng: export failed: " << why << "\n";
    return 1;
  };

  std::string query = ExportQuery(runs, request.all_units);
  try {
    if (request.format == "csv") {
      for (int c = 0; c < kExportColumnCount; ++c) *sink << (c ? "," : "") << kExportColumns[c];
      *sink << "\r\n";
    }
    // A server-side cursor read 1,000 rows at a time: memory stays flat however big the run.
    // Every row will be read, so plan for all of them, not for the first tenth.
    tx.exec("SET LOCAL cursor_tuple_fraction = 1.0");
    pqxx::icursorstream cursor(tx, query, "throng_export", 1000);
    pqxx::result batch;
    while (cursor >> batch) {
      for (const auto& row : batch) {
        auto text = [&](int c) { return row[c].is_null() ? std::string() : row[c].c_str(); };
        // Columns 13.. hold JSON text, 4 (unit_index) an integer, 12 (seconds_worked) a number.
        auto as_json = [&](int c) -> json {
          if (row[c].is_null()) return nullptr;
          if (c >= 13) return json::parse(row[c].c_str());
          if (c == 4) return row[c].as<int>();
          if (c == 12) return row[c].as<double>();
          return row[c].c_str();
        };
        if (request.format == "jsonl") {
          json object = json::object();
          for (int c = 0; c < kExportColumnCount; ++c) object[kExportColumns[c]] = as_json(c);
          *sink << object.dump() << "\n";
        } else {
          for (int c = 0; c < kExportColumnCount; ++c) *sink << (c ? "," : "") << CsvField(text(c));
          *sink << "\r\n";
        }
      }
      if (!*sink) break;
    }
  } catch (const std::exception& e) {
    return give_up(e.what());
  }
  sink->flush();
  if (out_path) {
    file.close();
    if (!file) return give_up("cannot write '" + tmp_path + "' (" + std::strerror(errno) + ")");
    if (std::rename(tmp_path.c_str(), out_path->c_str()) != 0) {
      return give_up("cannot rename '" + tmp_path + "' to '" + *out_path + "' (" +
                     std::strerror(errno) + ")");
    }
  } else if (!*sink) {
    err << "throng: export failed: cannot write to standard output\n";
    return 1;
  }
  return 0;
}

int Set(pqxx::connection& db, std::int64_t task_run_id, const std::vector<std::string>& assignments,
        bool as_json, std::ostream& out, std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  auto run = std::to_string(task_run_id);
  auto changes = operator_::ChangeRunSettings(db, task_run_id, assignments);
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

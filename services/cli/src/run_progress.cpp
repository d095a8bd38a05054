#include "run_progress.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace throng::cli {

std::optional<RunProgress> ReadRunProgress(pqxx::connection& db, std::int64_t task_run_id) {
  pqxx::read_transaction tx(db);
  auto rows = tx.exec_params(
      "SELECT t.task_name, r.task_type, r.provider_type,"
      " to_char(r.creation_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
      " r.is_completed, r.init_params #>> '{}',"
      " r.max_num_concurrent_units, r.allowed_concurrent, r.maximum_units_per_worker,"
      " r.assignment_duration_seconds, r.submission_timeout_seconds,"
      " r.no_submission_patience_seconds "
      "FROM task_runs r JOIN tasks t ON t.task_id = r.task_id WHERE r.task_run_id = $1",
      task_run_id);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  RunProgress progress;
  progress.task_run_id = task_run_id;
  progress.task_name = row[0].as<std::string>();
  progress.blueprint_type = row[1].as<std::string>();
  progress.provider_type = row[2].as<std::string>();
  progress.created = row[3].as<std::string>();
  progress.completed = row[4].as<bool>();
  try {
    auto config = YAML::Load(row[5].is_null() ? "" : row[5].c_str());
    if (config.IsMap() && config["architect"] && config["architect"]["public_url"] &&
        config["architect"]["public_url"].IsScalar()) {
      progress.public_url = config["architect"]["public_url"].Scalar();
    }
  } catch (const YAML::Exception&) {
    // A run created before configs were checked: no public_url then.
  }
  progress.settings = {{"max_num_concurrent_units", row[6].as<long>()},
                       {"allowed_concurrent", row[7].as<long>()},
                       {"maximum_units_per_worker", row[8].as<long>()},
                       {"assignment_duration_in_seconds", row[9].as<long>()},
                       {"submission_timeout", row[10].as<long>()},
                       {"no_submission_patience", row[11].as<long>()}};

  auto counts = tx.exec_params1(
      "SELECT count(*) FILTER (WHERE status = 'created'),"
      " count(*) FILTER (WHERE status = 'launched'),"
      " count(*) FILTER (WHERE status = 'assigned'),"
      " count(*) FILTER (WHERE status = 'completed'),"
      " count(*) FILTER (WHERE status IN ('accepted', 'rejected', 'soft_rejected')),"
      " count(*) FILTER (WHERE status = 'expired'), count(*) "
      "FROM units WHERE task_run_id = $1",
      task_run_id);
  // In the order of the query's columns.
  long RunProgress::*const unit_counts[] = {
      &RunProgress::units_created,   &RunProgress::units_launched, &RunProgress::units_assigned,
      &RunProgress::units_completed, &RunProgress::units_reviewed, &RunProgress::units_expired,
      &RunProgress::units_total};
  for (int column = 0; column < 7; ++column) {
    progress.*unit_counts[column] = counts[column].as<long>();
  }

  auto activity = tx.exec_params1(
      "SELECT count(DISTINCT a.worker_id) FILTER (WHERE a.status IN ('accepted', 'onboarding',"
      " 'waiting', 'in task')),"
      " count(d.agent_id) FILTER (WHERE d.submitted_at > now() - interval '60 seconds') "
      "FROM agents a LEFT JOIN agent_data d ON d.agent_id = a.agent_id "
      "WHERE a.task_run_id = $1",
      task_run_id);
  progress.active_workers = activity[0].as<long>();
  progress.submissions_last_minute = activity[1].as<long>();
  return progress;
}

std::string ProgressLine(const RunProgress& progress, int bar_width) {
  long total = std::max(progress.units_total, 1L);
  long filled = progress.Done() * bar_width / total;
  long expired = progress.units_expired * bar_width / total;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar += std::string(static_cast<std::size_t>(std::min(expired, bar_width - filled)), 'x');
  bar += std::string(static_cast<std::size_t>(bar_width) - bar.size(), '-');
  return "[" + bar + "] " + std::to_string(progress.Done()) + "/" +
         std::to_string(progress.units_total) + " done | " +
         std::to_string(progress.units_assigned) + " in progress | " +
         std::to_string(progress.units_created + progress.units_launched) + " waiting | " +
         std::to_string(progress.units_expired) + " expired | " +
         std::to_string(progress.active_workers) + " workers | " +
         std::to_string(progress.submissions_last_minute) + " submissions/min";
}

nlohmann::json ToJson(const RunProgress& p) {
  return {{"task_run_id", std::to_string(p.task_run_id)},
          {"task_name", p.task_name},
          {"blueprint", p.blueprint_type},
          {"provider", p.provider_type},
          {"created", p.created},
          {"status", p.completed ? "completed" : "live"},
          {"units",
           {{"created", p.units_created},
            {"launched", p.units_launched},
            {"assigned", p.units_assigned},
            {"completed", p.units_completed},
            {"reviewed", p.units_reviewed},
            {"expired", p.units_expired},
            {"total", p.units_total}}},
          {"active_workers", p.active_workers},
          {"submissions_last_minute", p.submissions_last_minute},
          {"settings", p.settings}};
}

}  // namespace throng::cli

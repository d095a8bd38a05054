#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace throng::cli {

// Where a task run stands: its units per status, who is working and how fast results come.
struct RunProgress {
  std::int64_t task_run_id = 0;
  std::string task_name;
  std::string blueprint_type;
  std::string provider_type;
  std::string created;  // ISO 8601 UTC
  bool completed = false;
  std::string public_url;  // the config's architect.public_url ("" if not set)

  long units_created = 0;   // waiting to be launched (the concurrency cap holds them back)
  long units_launched = 0;  // offered to workers
  long units_assigned = 0;  // a worker is on it
  long units_completed = 0;
  long units_reviewed = 0;  // accepted, rejected or soft-rejected
  long units_expired = 0;
  long units_total = 0;

  long active_workers = 0;           // distinct workers with an agent at work
  long submissions_last_minute = 0;  // submissions stored in the last 60 s

  nlohmann::json settings;  // the live-changeable settings and their values

  long Done() const { return units_completed + units_reviewed; }
};

// nullopt when there is no such run.
std::optional<RunProgress> ReadRunProgress(pqxx::connection& db, std::int64_t task_run_id);

// One line: "[#######-------------] 7/20 done | 2 in progress | 11 waiting | 0 expired |
// 2 workers | 4 submissions/min", the bar `bar_width` wide.
std::string ProgressLine(const RunProgress& progress, int bar_width = 20);

nlohmann::json ToJson(const RunProgress& progress);

}  // namespace throng::cli

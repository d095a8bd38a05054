#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace throng::cli {

// Each command writes its normal output to `out`, its errors (naming the problem and the fix)
// to `err`, and returns the exit code: 0 ok, 1 failure, 2 usage.

// Checks the config (unknown keys and wrong types name the key and what it accepts), creates
// the run and prints its id and the worker link (starting with the config's
// architect.public_url, else `worker_url`).
int Launch(pqxx::connection& db, const std::string& config_path,
           const std::vector<std::string>& overrides, const std::string& data_dir,
           const std::string& worker_url, bool as_json, std::ostream& out, std::ostream& err);

// Unit counts per status for every run, or every run of `task_name` (newest first).
int Runs(pqxx::connection& db, const std::optional<std::string>& task_name, bool as_json,
         std::ostream& out, std::ostream& err);

struct ExportRequest {
  // A task run id, or a task name (every run of that task); a number is tried as both unless
  // by_run_id is set (`--run=<id>`), which accepts ids only.
  std::string run_or_task;
  bool by_run_id = false;
  std::string format = "jsonl";  // jsonl or csv
  // Every unit of the run(s) with its current agent, if any, instead of only the completed or
  // reviewed units that have a submission.
  bool all_units = false;
};

// Whether `format` is one `Export` writes; the accepted values for messages.
bool IsExportFormat(const std::string& format);
inline constexpr const char kExportFormats[] = "jsonl or csv";

// One JSON object (or CSV row) per completed unit of the run(s), streamed from a server-side
// cursor in batches of 1,000 rows, so memory does not grow with the run. With `out_path` the
// rows go to <out_path>.tmp, renamed to <out_path> only once all are written (removed on
// failure); else to `out`. 1 for an unknown run or task, an unwritable file or a database error.
int Export(pqxx::connection& db, const ExportRequest& request,
           const std::optional<std::string>& out_path, std::ostream& out, std::ostream& err);

// Changes live-changeable settings of a run (e.g. max_num_concurrent_units=20); the operator
// applies them within a second.
int Set(pqxx::connection& db, std::int64_t task_run_id, const std::vector<std::string>& assignments,
        bool as_json, std::ostream& out, std::ostream& err);

int DbMigrate(pqxx::connection& db, std::ostream& out, std::ostream& err);
int DbStatus(pqxx::connection& db, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

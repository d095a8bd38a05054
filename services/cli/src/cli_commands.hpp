#pragma once

#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace throng::cli {

// Each command writes its normal output to `out`, its errors (naming the problem and the fix)
// to `err`, and returns the exit code: 0 ok, 1 failure, 2 usage.

int Launch(pqxx::connection& db, const std::string& config_path,
           const std::vector<std::string>& overrides, const std::string& data_dir, bool as_json,
           std::ostream& out, std::ostream& err);

// Unit counts per status for every run (newest first).
int Runs(pqxx::connection& db, bool as_json, std::ostream& out, std::ostream& err);

// One JSON object (or CSV row) per completed unit of a run, or of every run of a task name.
int Export(pqxx::connection& db, const std::string& run_or_task, const std::string& format,
           std::ostream& out, std::ostream& err);

// Changes live-changeable settings of a run (e.g. max_num_concurrent_units=20); the operator
// applies them within a second.
int Set(pqxx::connection& db, const std::string& run, const std::vector<std::string>& assignments,
        bool as_json, std::ostream& out, std::ostream& err);

int DbMigrate(pqxx::connection& db, std::ostream& out, std::ostream& err);
int DbStatus(pqxx::connection& db, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

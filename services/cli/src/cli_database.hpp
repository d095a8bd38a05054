#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <pqxx/pqxx>
#include <string>

namespace throng::cli {

// Whether the database schema is at the version this CLI was built with; if not, says how to
// migrate it on `err`.
bool SchemaReady(pqxx::connection& db, std::ostream& err);

// A task run or unit id as typed on the command line (digits only), or nullopt.
std::optional<std::int64_t> ParseId(const std::string& text);

// What the run commands need to know of a task run.
struct RunRow {
  std::int64_t task_run_id = 0;
  std::int64_t task_id = 0;
  std::string task_name;
  std::string provider_type;
  std::string requester_name;
  bool is_completed = false;
  std::string init_params;  // the YAML config after overrides
};

// The run with that id, or nullopt after naming the problem and the fix on `err`.
std::optional<RunRow> FindRun(pqxx::transaction_base& tx, std::int64_t task_run_id,
                              std::ostream& err);

}  // namespace throng::cli

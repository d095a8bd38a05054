#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "task_run_spec.hpp"
#include "throng/common/error.hpp"

namespace throng::operator_ {

struct CreatedRun {
  std::int64_t task_run_id = 0;
  std::int64_t assignments = 0;
  std::int64_t units = 0;
  std::string static_dir;
};

// Creates the task (if new), the run, its assignments and units (status 'created'; the
// operator launches them under max_num_concurrent_units) and the run's frontend, in one
// transaction: a failure leaves nothing behind.
Result<CreatedRun> CreateTaskRun(pqxx::connection& connection, const TaskRunSpec& spec,
                                 const std::string& data_dir);

}  // namespace throng::operator_

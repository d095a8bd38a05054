#pragma once

#include <cstdint>
#include <string>

#include "task_run_spec.hpp"
#include "throng/common/error.hpp"

namespace throng::operator_ {

// Writes a run's browser-facing files into <data_dir>/runs/<task_run_id>/static: the
// blueprint's page (static_task: index.html + static_task.js and the task's HTML template;
// static_react_task: index.html + the task's bundle.js), the wrap_crowd_source.js of the run's
// provider and task_config.json. Routers serve this directory for the run.
Result<std::string> BuildRunFrontend(const TaskRunSpec& spec, std::int64_t task_run_id,
                                     const std::string& data_dir);

}  // namespace throng::operator_

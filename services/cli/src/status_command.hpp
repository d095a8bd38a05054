#pragma once

#include <cstdint>
#include <ostream>
#include <pqxx/pqxx>
#include <string>

namespace throng::cli {

// `throng status <run>`: the run's units per status, active workers, submissions in the last
// minute, its live settings and the worker link (`worker_url` unless the run's config names
// its own architect.public_url). 0, or 1 for an unknown run.
int Status(pqxx::connection& db, std::int64_t task_run_id, const std::string& worker_url,
           bool as_json, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

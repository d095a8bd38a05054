#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <pqxx/pqxx>

namespace throng::cli {

// `throng watch <run>`: a progress line (ProgressLine) read every `interval`, until the run
// completes (0) or `stop` is set by Ctrl-C (0: the run goes on without us). On a terminal the
// line is redrawn in place; elsewhere (a pipe, a log) a line is written each time it changes.
// 1 for an unknown run or when the database is lost.
int Watch(pqxx::connection& db, std::int64_t task_run_id, std::chrono::milliseconds interval,
          bool terminal, const std::atomic<bool>& stop, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

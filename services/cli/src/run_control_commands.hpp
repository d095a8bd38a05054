#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <pqxx/pqxx>
#include <string>
#include <tl/expected.hpp>

#include "throng/common/command_line.hpp"

namespace throng::cli {

// `throng expire`, `throng shutdown` and `throng cleanup`: ending task runs (SPEC O6).
struct RunControlRequest {
  enum class Command { kExpire, kShutdown, kCleanup };
  Command command = Command::kExpire;
  std::int64_t task_run_id = 0;     // expire, shutdown
  bool force = false;               // shutdown: expire the agents at work too
  std::optional<int> wait_seconds;  // shutdown: give up waiting after this long
  bool dry_run = false;             // cleanup
  bool as_json = false;
};

// The request a parsed `throng expire|shutdown|cleanup` command line asks for, or the usage
// problem.
tl::expected<RunControlRequest, std::string> ParseRunControlRequest(const CommandLine& args);

// expire: units nobody holds expire now; agents at work may still submit, and the operator
//   completes the run when they are done.
// shutdown: expire, then wait until the operator completes the run (Ctrl-C or --wait: exit 1,
//   the run keeps shutting down); --force expires the agents at work too and completes the
//   run at once.
// cleanup: with no operator holding the lease, expires the open units and agents of every live
//   run and marks it completed (--dry-run: the same in a transaction that is rolled back).
// Exit code 0, or 1 (unknown or completed run, no operator to wait for, an operator running
// during cleanup, interrupted).
int RunControl(pqxx::connection& db, const RunControlRequest& request, std::ostream& out,
               std::ostream& err);

}  // namespace throng::cli

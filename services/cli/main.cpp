// throng: the command line for launching task runs and reading their results.
#include <fstream>
#include <iostream>

#include "cli_commands.hpp"
#include "throng/common/command_line.hpp"
#include "throng/common/config_source.hpp"
#include "throng/common/exit_codes.hpp"

namespace {

constexpr const char kUsage[] = R"(throng: launch task runs and read their results.

Usage:
  throng launch <config> [<override>...] [options]
  throng runs [options]
  throng export <run> [--format=<fmt>] [--output=<file>] [options]
  throng set <run> <setting>... [options]
  throng db (migrate | status) [options]
  throng (-h | --help)
  throng --version

Commands:
  launch    Create a task run from a YAML config plus key=value overrides
            (e.g. task.max_num_concurrent_units=5); the operator serves it at once.
  runs      Unit counts per status for every task run.
  export    Completed units of a run (by run id or task name) as JSONL or CSV.
  set       Change settings of a live run, e.g. max_num_concurrent_units=20
            (also allowed_concurrent, maximum_units_per_worker,
            assignment_duration_in_seconds, submission_timeout,
            no_submission_patience, and the quality thresholds
            monitoring.<key>=<0..1>); the operator applies them within a second.
  db        Apply or inspect the database schema migrations.

Options:
  -h --help           Show this help.
  --version           Show the version.
  --config=<file>     YAML file with settings (env THRONG_CONFIG).
  --pg-dsn=<dsn>      PostgreSQL connection string (env THRONG_PG_DSN;
                      default: the local stack, postgresql://throng@127.0.0.1:55432/throng).
  --data-dir=<dir>    Where run frontends are written (env THRONG_DATA_DIR, default ./data).
  --format=<fmt>      jsonl or csv [default: jsonl].
  --output=<file>     Write the export to a file instead of standard output.
  --json              Machine-readable output.
)";

}  // namespace

int main(int argc, char** argv) {
  auto parsed = throng::ParseCommandLine(kUsage, "throng", argc, argv);
  if (auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  auto& args = std::get<throng::CommandLine>(parsed);
  auto source = throng::ConfigSource::Load(args);
  if (!source) {
    std::cerr << "throng: " << source.error().message << "\n";
    return throng::kExitUsage;
  }
  // Defaults to the database of the local stack that deploy/local/up.sh starts.
  auto dsn = source->GetString("pg_dsn", "postgresql://throng@127.0.0.1:55432/throng");
  std::unique_ptr<pqxx::connection> db;
  try {
    db = std::make_unique<pqxx::connection>(dsn);
  } catch (const std::exception& e) {
    std::cerr << "throng: cannot connect to PostgreSQL (" << e.what()
              << "); check --pg-dsn / THRONG_PG_DSN and that the database is running\n";
    return throng::kExitRuntime;
  }
  bool as_json = args["--json"].asBool();
  try {
    if (args["launch"].asBool()) {
      return throng::cli::Launch(
          *db, args["<config>"].asString(), args["<override>"].asStringList(),
          source->GetString("data_dir", "data"), as_json, std::cout, std::cerr);
    }
    if (args["runs"].asBool()) return throng::cli::Runs(*db, as_json, std::cout, std::cerr);
    if (args["export"].asBool()) {
      std::ofstream file;
      std::ostream* out = &std::cout;
      if (args["--output"].isString()) {
        file.open(args["--output"].asString());
        if (!file) {
          std::cerr << "throng: cannot write '" << args["--output"].asString() << "'\n";
          return throng::kExitRuntime;
        }
        out = &file;
      }
      return throng::cli::Export(*db, args["<run>"].asString(), args["--format"].asString(), *out,
                                 std::cerr);
    }
    if (args["set"].asBool()) {
      return throng::cli::Set(*db, args["<run>"].asString(), args["<setting>"].asStringList(),
                              as_json, std::cout, std::cerr);
    }
    if (args["migrate"].asBool()) return throng::cli::DbMigrate(*db, std::cout, std::cerr);
    if (args["status"].asBool()) return throng::cli::DbStatus(*db, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "throng: " << e.what() << "\n";
    return throng::kExitRuntime;
  }
  std::cerr << kUsage;
  return throng::kExitUsage;
}

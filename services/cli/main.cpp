// throng: the command line for launching task runs, reading their results and monitoring them.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli_commands.hpp"
#include "embedded_metrics_files.hpp"
#include "metrics_install.hpp"
#include "metrics_setup.hpp"
#include "metrics_view.hpp"
#include "throng/common/command_line.hpp"
#include "throng/common/config_source.hpp"
#include "throng/common/exit_codes.hpp"

namespace {

// docopt's [options] stands for every option that no pattern names, so options that several
// commands share (--json, --dir, ...) must stay out of the patterns.
constexpr const char kUsage[] = R"(throng: launch task runs and read their results.

Usage:
  throng launch <config> [<override>...] [options]
  throng runs [options]
  throng export <run> [--format=<fmt>] [--output=<file>] [options]
  throng set <run> <setting>... [options]
  throng db (migrate | status) [options]
  throng metrics install [--aggregator=<host:port>...] [options]
  throng metrics view [options]
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
  metrics   install: write a local Prometheus (scraping the aggregators, with the shipped
            rules) and Grafana (datasource and dashboards) setup into --dir.
            view: run it, print the URLs, stop it on Ctrl-C. Needs no database.

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
  --dir=<dir>         Where `metrics` keeps its setup (default
                      $XDG_DATA_HOME/throng/metrics, else ~/.local/share/throng/metrics).
  --aggregator=<host:port>  An aggregator replica for Prometheus to scrape; repeat for each
                      (default: the local stack's 127.0.0.1:9300 and 127.0.0.1:9301).
  --prometheus-port=<port>  Port of the local Prometheus on 127.0.0.1 (default 9090).
  --grafana-port=<port>     Port of the local Grafana on 127.0.0.1 (default 3032).
)";

std::optional<std::string> OptionalString(const throng::CommandLine& args, const char* name) {
  auto found = args.find(name);
  if (found == args.end() || !found->second.isString()) return std::nullopt;
  return found->second.asString();
}

// `throng metrics ...` needs no database.
int Metrics(const throng::CommandLine& args) {
  auto dir_option = OptionalString(args, "--dir");
  auto dir =
      throng::cli::ResolveMetricsDir(dir_option, std::getenv("XDG_DATA_HOME"), std::getenv("HOME"));
  if (!dir) {
    std::cerr << "throng: " << dir.error().message << "\n";
    return throng::kExitUsage;
  }
  bool as_json = args.at("--json").asBool();
  if (args.at("view").asBool()) {
    return throng::cli::MetricsView(*dir, as_json, std::cout, std::cerr);
  }
  auto setup = throng::cli::MakeMetricsSetup(*dir, args.at("--aggregator").asStringList(),
                                             OptionalString(args, "--prometheus-port"),
                                             OptionalString(args, "--grafana-port"));
  if (!setup) {
    std::cerr << "throng: " << setup.error().message << "\n";
    return throng::kExitUsage;
  }
  return throng::cli::MetricsInstall(*setup, throng::EmbeddedMetricsFiles(), !dir_option, as_json,
                                     std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = throng::ParseCommandLine(kUsage, "throng", argc, argv);
  if (auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  auto& args = std::get<throng::CommandLine>(parsed);
  if (args["metrics"].asBool()) return Metrics(args);
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

// throng: the command line for launching task runs, reading their results and monitoring them.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli_commands.hpp"
#include "cli_database.hpp"
#include "command_options.hpp"
#include "config_command.hpp"
#include "embedded_metrics_files.hpp"
#include "metrics_install.hpp"
#include "metrics_setup.hpp"
#include "metrics_view.hpp"
#include "review_commands.hpp"
#include "run_control_commands.hpp"
#include "status_command.hpp"
#include "throng/common/command_line.hpp"
#include "throng/common/config_source.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/stop_signal.hpp"
#include "user_config.hpp"
#include "watch_command.hpp"
#include "wut_command.hpp"

namespace {

// docopt's [options] stands for every option that no pattern names, so options that several
// commands share (--json, --dir, --format, --out, --run, ...) must stay out of the patterns;
// each command checks the combinations it accepts (UsageError).
constexpr const char kUsage[] = R"(throng: launch task runs and read their results.

Usage:
  throng launch <config> [<override>...] [options]
  throng wut [<group>] [<argument>...] [options]
  throng runs [options]
  throng status <run> [options]
  throng watch <run> [options]
  throng export [<run>] [options]
  throng set <run> <setting>... [options]
  throng config (get <key> | set <key> <value> | list) [options]
  throng db (migrate | status) [options]
  throng review <run> list [options]
  throng review <run> (approve | reject | soft-reject) [<unit>...] [options]
  throng review <run> bonus <unit> <amount> [options]
  throng review <run> grant <worker> <qualification> [<value>] [options]
  throng review <run> revoke <worker> <qualification> [options]
  throng review <run> (block | unblock) <worker> [options]
  throng expire <run> [options]
  throng shutdown <run> [options]
  throng cleanup [options]
  throng metrics install [--aggregator=<host:port>...] [options]
  throng metrics view [options]
  throng (-h | --help)
  throng --version

Commands:
  launch    Create a task run from a YAML config plus key=value overrides
            (e.g. task.max_num_concurrent_units=5); the operator serves it at once. Prints
            the run id and the worker link. Unknown keys and wrong types are errors.
  wut       What a task config may hold: `throng wut` lists the groups, `throng wut
            blueprint` its types, `throng wut blueprint=static_task [<argument>...]` a table
            of arguments (name, type, default, required, choices, live, help).
  runs      Unit counts per status for every task run (--task=<name>: of one task).
  status    One run: units per status, active workers, submissions per minute, settings
            and worker link.
  watch     A live progress line of a run until it completes or Ctrl-C
            (--interval=<seconds> between reads, default 1).
  export    `throng export (<run> | --run=<id>) [--format=jsonl|csv] [--out=<file>] [--all]`:
            the completed units of a run (<run>: a run id or a task name, every run of that
            task) with worker, agent, timestamps, statuses, data and uploaded files, as JSONL
            or CSV, streamed in constant memory; --all: every unit, submitted or not.
  set       Change settings of a live run, e.g. max_num_concurrent_units=20
            (also allowed_concurrent, maximum_units_per_worker,
            assignment_duration_in_seconds, submission_timeout,
            no_submission_patience, and the quality thresholds
            monitoring.<key>=<0..1>); the operator applies them within a second.
  config    The user config file ($THRONG_USER_CONFIG, else
            $XDG_CONFIG_HOME/throng/config.yml, else ~/.config/throng/config.yml):
            defaults for database.pg_dsn, launch.data_dir, launch.worker_url, metrics.dir.
  db        Apply or inspect the database schema migrations.
  review    The review of a run's submitted work, each action a row of worker_review:
            list: the completed units awaiting review. approve, reject, soft-reject
            (<unit>... or --all, [--note=<text>]): all of them or, if one is not awaiting
            review, none. bonus <unit> <amount>: e.g. 0.50, recorded for the provider.
            grant <worker> <qualification> [<value>] (default 1), revoke. block, unblock:
            grant or revoke the run's blueprint.block_qualification (the operator refuses
            blocked workers new units of every run that names it).
  expire    Units of a live run that nobody holds expire now; agents at work may still
            submit, and the run completes when they are done.
  shutdown  Expire, then wait until the operator completes the run, printing how many
            agents are still at work (--wait=<seconds> bounds the wait; Ctrl-C leaves the
            run shutting down); --force: expire the agents at work too, completed at once.
  cleanup   After a crash: with no operator holding the lease, expire the open units and
            agents of every live run and mark it completed; --dry-run reports what it would do.
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
  --worker-url=<url>  Where workers reach the routers: the start of the worker link (env
                      THRONG_WORKER_URL, default http://localhost:3000).
  --task=<name>       Only the runs of this task name.
  --interval=<seconds>  Seconds between reads of `watch` (default 1).
  --run=<id>          The task run to export, by id only.
  --format=<fmt>      jsonl or csv [default: jsonl].
  --out=<file>        Write the export to <file> (through <file>.tmp, renamed when complete)
                      instead of standard output.
  --output=<file>     Same as --out (the older spelling).
  --all               Export every unit, not only the completed ones.
  --json              Machine-readable output.
  --note=<text>       review: a note stored with the review (e.g. why it was rejected).
  --force             shutdown: expire the agents still at work and complete the run now.
  --wait=<seconds>    shutdown: give up waiting after this long (exit 1; the run keeps
                      shutting down).
  --dry-run           cleanup: report what it would change, change nothing.
  --dir=<dir>         Where `metrics` keeps its setup (default
                      $XDG_DATA_HOME/throng/metrics, else ~/.local/share/throng/metrics).
  --aggregator=<host:port>  An aggregator replica for Prometheus to scrape; repeat for each
                      (default: the local stack's 127.0.0.1:9300 and 127.0.0.1:9301).
  --prometheus-port=<port>  Port of the local Prometheus on 127.0.0.1 (default 9090).
  --grafana-port=<port>     Port of the local Grafana on 127.0.0.1 (default 3032).
)";

// A command-line mistake docopt cannot see: the problem, the usage, exit 2.
int UsageError(const std::string& problem) {
  std::cerr << "throng: " << problem << "\n"
            << throng::UsageSection(kUsage) << "Run throng --help for the options.\n";
  return throng::kExitUsage;
}

// `throng metrics ...` needs no database.
int Metrics(const throng::CommandLine& args, const throng::cli::UserConfig& user) {
  auto dir_option = throng::cli::OptionalArg(args, "--dir");
  if (!dir_option) dir_option = user.Find("metrics.dir");
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
                                             throng::cli::OptionalArg(args, "--prometheus-port"),
                                             throng::cli::OptionalArg(args, "--grafana-port"));
  if (!setup) {
    std::cerr << "throng: " << setup.error().message << "\n";
    return throng::kExitUsage;
  }
  return throng::cli::MetricsInstall(*setup, throng::EmbeddedMetricsFiles(), !dir_option, as_json,
                                     std::cout, std::cerr);
}

// `throng config ...` needs no database.
int Config(const throng::CommandLine& args, throng::cli::UserConfig& user) {
  bool as_json = args.at("--json").asBool();
  if (args.at("get").asBool()) {
    return throng::cli::ConfigGet(user, args.at("<key>").asString(), as_json, std::cout, std::cerr);
  }
  if (args.at("set").asBool()) {
    return throng::cli::ConfigSet(user, args.at("<key>").asString(), args.at("<value>").asString(),
                                  as_json, std::cout, std::cerr);
  }
  return throng::cli::ConfigList(user, as_json, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = throng::ParseCommandLine(kUsage, "throng", argc, argv);
  if (auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  auto& args = std::get<throng::CommandLine>(parsed);
  auto user_path = throng::cli::UserConfig::DefaultPath(
      std::getenv("THRONG_USER_CONFIG"), std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
  if (!user_path) {
    std::cerr << "throng: " << user_path.error().message << "\n";
    return throng::kExitUsage;
  }
  auto user = throng::cli::UserConfig::Load(*user_path);
  if (!user) {
    std::cerr << "throng: " << user.error().message << "\n";
    return throng::kExitRuntime;
  }
  if (args["config"].asBool()) return Config(args, *user);
  if (args["metrics"].asBool()) return Metrics(args, *user);
  bool as_json = args["--json"].asBool();
  if (args["wut"].asBool()) {
    int code = throng::cli::Wut(throng::cli::OptionalArg(args, "<group>"),
                                args["<argument>"].asStringList(), as_json, std::cout, std::cerr);
    if (code == throng::kExitUsage) std::cerr << throng::UsageSection(kUsage);
    return code;
  }
  std::optional<std::int64_t> run_id;
  if ((args["status"].asBool() && !args["db"].asBool()) || args["watch"].asBool() ||
      args["set"].asBool()) {
    run_id = throng::cli::ParseId(args["<run>"].asString());
    if (!run_id) {
      return UsageError("'" + args["<run>"].asString() +
                        "' is not a task run id; `throng runs` lists them");
    }
  }
  auto interval = std::chrono::milliseconds(1000);
  if (auto text = throng::cli::OptionalArg(args, "--interval")) {
    char* end = nullptr;
    double seconds = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !(seconds >= 0.1 && seconds <= 3600)) {
      return UsageError("--interval must be a number of seconds from 0.1 to 3600, not '" + *text +
                        "'");
    }
    interval = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  }
  throng::cli::ExportRequest export_request;
  std::optional<std::string> export_out;
  if (args["export"].asBool()) {
    auto run = throng::cli::OptionalArg(args, "<run>");
    auto run_id_option = throng::cli::OptionalArg(args, "--run");
    if (run.has_value() == run_id_option.has_value()) {
      return UsageError("export takes either <run> (a run id or a task name) or --run=<id>");
    }
    export_request.run_or_task = run ? *run : *run_id_option;
    export_request.by_run_id = run_id_option.has_value();
    export_request.format = args["--format"].asString();
    export_request.all_units = args["--all"].asBool();
    if (!throng::cli::IsExportFormat(export_request.format)) {
      return UsageError("--format must be " + std::string(throng::cli::kExportFormats) + ", not '" +
                        export_request.format + "'");
    }
    export_out = throng::cli::OptionalArg(args, "--out");
    auto alias = throng::cli::OptionalArg(args, "--output");
    if (export_out && alias && *export_out != *alias) {
      return UsageError("--out and --output name the same file; give one of them");
    }
    if (!export_out) export_out = alias;
    if (export_out && export_out->empty()) return UsageError("--out needs a file name");
  }
  // review, expire, shutdown, cleanup: usage problems are found before connecting.
  std::optional<throng::cli::ReviewRequest> review;
  std::optional<throng::cli::RunControlRequest> run_control;
  if (args["review"].asBool()) {
    auto request = throng::cli::ParseReviewRequest(args);
    if (!request) return UsageError(request.error());
    review = *request;
  }
  if (args["expire"].asBool() || args["shutdown"].asBool() || args["cleanup"].asBool()) {
    auto request = throng::cli::ParseRunControlRequest(args);
    if (!request) return UsageError(request.error());
    run_control = *request;
  }
  auto source = throng::ConfigSource::Load(args);
  if (!source) {
    std::cerr << "throng: " << source.error().message << "\n";
    return throng::kExitUsage;
  }
  // A setting given as an option, in the environment or in --config wins over the user config,
  // which wins over the built-in default (the local stack that deploy/local/up.sh starts).
  auto setting = [&](const std::string& key, const std::string& user_key) {
    if (auto found = source->Find(key)) return *found;
    if (auto found = user->Find(user_key)) return *found;
    return std::string(throng::cli::FindUserConfigKey(user_key)->fallback);
  };
  auto dsn = setting("pg_dsn", "database.pg_dsn");
  std::unique_ptr<pqxx::connection> db;
  try {
    db = std::make_unique<pqxx::connection>(dsn);
  } catch (const std::exception& e) {
    std::cerr << "throng: cannot connect to PostgreSQL (" << e.what()
              << "); check --pg-dsn / THRONG_PG_DSN / `throng config get database.pg_dsn` and "
                 "that the database is running\n";
    return throng::kExitRuntime;
  }
  auto worker_url = setting("worker_url", "launch.worker_url");
  try {
    if (args["launch"].asBool()) {
      return throng::cli::Launch(
          *db, args["<config>"].asString(), args["<override>"].asStringList(),
          setting("data_dir", "launch.data_dir"), worker_url, as_json, std::cout, std::cerr);
    }
    if (args["runs"].asBool()) {
      return throng::cli::Runs(*db, throng::cli::OptionalArg(args, "--task"), as_json, std::cout,
                               std::cerr);
    }
    if (args["export"].asBool()) {
      return throng::cli::Export(*db, export_request, export_out, std::cout, std::cerr);
    }
    if (args["set"].asBool()) {
      return throng::cli::Set(*db, *run_id, args["<setting>"].asStringList(), as_json, std::cout,
                              std::cerr);
    }
    if (review) return throng::cli::Review(*db, *review, std::cout, std::cerr);
    if (run_control) return throng::cli::RunControl(*db, *run_control, std::cout, std::cerr);
    if (args["db"].asBool()) {
      if (args["migrate"].asBool()) return throng::cli::DbMigrate(*db, std::cout, std::cerr);
      return throng::cli::DbStatus(*db, std::cout, std::cerr);
    }
    if (args["status"].asBool()) {
      return throng::cli::Status(*db, *run_id, worker_url, as_json, std::cout, std::cerr);
    }
    if (args["watch"].asBool()) {
      std::atomic<bool> stop = false;
      throng::StopSignal on_ctrl_c([&](int) { stop = true; });
      return throng::cli::Watch(*db, *run_id, interval, isatty(STDOUT_FILENO) == 1, stop, std::cout,
                                std::cerr);
    }
  } catch (const std::exception& e) {
    std::cerr << "throng: " << e.what() << "\n";
    return throng::kExitRuntime;
  }
  std::cerr << kUsage;
  return throng::kExitUsage;
}

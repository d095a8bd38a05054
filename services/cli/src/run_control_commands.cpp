#include "run_control_commands.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli_database.hpp"
#include "command_options.hpp"
#include "operator_lease.hpp"
#include "stop_request.hpp"
#include "throng/common/stop_signal.hpp"

namespace throng::cli {

namespace {

using nlohmann::json;
using Command = RunControlRequest::Command;
using namespace std::chrono_literals;

constexpr auto kPollInterval = 500ms;

// What stopping a run at once did.
struct Stopped {
  long expired_units = 0;
  long expired_agents = 0;
  long disconnected_onboarding = 0;
};

// Stops a run at once, as after a catastrophic failure: agents at work expire with their
// units, units nobody holds expire, workers in onboarding are disconnected, and the run is
// completed. Completed and reviewed units keep their submissions.
Stopped StopRun(pqxx::transaction_base& tx, std::int64_t task_run_id) {
  Stopped stopped;
  stopped.expired_agents = tx.exec_params(
                                 "UPDATE agents SET status = 'expired', update_date = now()"
                                 " WHERE task_run_id = $1 AND status IN ('none', 'accepted',"
                                 " 'waiting', 'in task', 'partner disconnect')",
                                 task_run_id)
                               .affected_rows();
  stopped.expired_units =
      tx.exec_params(
            "UPDATE units SET status = 'expired' WHERE task_run_id = $1 AND status = 'assigned'",
            task_run_id)
          .affected_rows() +
      tx.exec_params1("SELECT throng_shut_down_run($1)", task_run_id)[0].as<long>();
  stopped.disconnected_onboarding =
      tx.exec_params(
            "UPDATE onboarding_agents SET status = 'disconnect', update_date = now()"
            " WHERE task_run_id = $1 AND status IN ('none', 'onboarding', 'waiting')",
            task_run_id)
          .affected_rows();
  tx.exec_params("UPDATE task_runs SET is_completed = true WHERE task_run_id = $1", task_run_id);
  return stopped;
}

json StoppedJson(const Stopped& stopped) {
  return {{"expired_units", stopped.expired_units},
          {"expired_agents", stopped.expired_agents},
          {"disconnected_onboarding_agents", stopped.disconnected_onboarding}};
}

// "expired 3 units and 1 agents at work, ...; marked completed", or what a dry run would do.
std::string StoppedText(const Stopped& stopped, bool dry_run) {
  auto expired = std::to_string(stopped.expired_units) + " units and " +
                 std::to_string(stopped.expired_agents) + " agents at work";
  auto onboarding = std::to_string(stopped.disconnected_onboarding) + " workers in onboarding";
  return dry_run
             ? "would expire " + expired + ", disconnect " + onboarding + " and mark it completed"
             : "expired " + expired + ", disconnected " + onboarding + "; marked completed";
}

long AgentsAtWork(pqxx::transaction_base& tx, std::int64_t task_run_id) {
  return tx
      .exec_params1("SELECT count(*) FROM units WHERE task_run_id = $1 AND status = 'assigned'",
                    task_run_id)[0]
      .as<long>();
}

int Expire(pqxx::connection& db, const RunControlRequest& request, std::ostream& out,
           std::ostream& err) {
  pqxx::work tx(db);
  auto run = FindRun(tx, request.task_run_id, err);
  if (!run) return 1;
  if (run->is_completed) {
    err << "throng: task run " << run->task_run_id << " is already completed; nothing to expire\n";
    return 1;
  }
  auto expired =
      tx.exec_params1("SELECT throng_shut_down_run($1)", request.task_run_id)[0].as<long>();
  auto at_work = AgentsAtWork(tx, request.task_run_id);
  tx.commit();
  if (request.as_json) {
    out << json{{"task_run_id", std::to_string(request.task_run_id)},
                {"expired_units", expired},
                {"agents_at_work", at_work}}
               .dump()
        << "\n";
  } else {
    out << "task run " << request.task_run_id << ": " << expired << " units nobody held expired; "
        << at_work
        << " agents at work may still submit, and the run completes when they are done\n";
  }
  return 0;
}

int Shutdown(pqxx::connection& db, const RunControlRequest& request, std::ostream& out,
             std::ostream& err) {
  auto id = request.task_run_id;
  auto answer = [&](const json& extra) {
    json object = {{"task_run_id", std::to_string(id)}, {"status", "completed"}};
    object.update(extra);
    out << object.dump() << "\n";
  };
  long expired = 0;
  {
    pqxx::work tx(db);
    auto run = FindRun(tx, id, err);
    if (!run) return 1;
    if (run->is_completed) {
      if (request.as_json) {
        answer({{"expired_units", 0}});
      } else {
        out << "task run " << id << " is already completed\n";
      }
      return 0;
    }
    if (request.force) {
      auto stopped = StopRun(tx, id);
      tx.commit();
      if (request.as_json) {
        answer(StoppedJson(stopped));
      } else {
        out << "task run " << id << " stopped now: " << StoppedText(stopped, false) << "\n";
      }
      return 0;
    }
    expired = tx.exec_params1("SELECT throng_shut_down_run($1)", id)[0].as<long>();
    tx.commit();
  }
  if (!request.as_json)
    out << "task run " << id << ": " << expired << " units nobody held expired\n";

  StopRequest stop;
  StopSignal signals([&stop](int) { stop.Request(); });
  auto started = std::chrono::steady_clock::now();
  long reported = -1;
  while (true) {
    long at_work = 0;
    bool completed = false;
    {
      // Again each round: a unit freed by a timed-out agent must not go to a new worker.
      pqxx::work tx(db);
      expired += tx.exec_params1("SELECT throng_shut_down_run($1)", id)[0].as<long>();
      at_work = AgentsAtWork(tx, id);
      completed =
          tx.exec_params1("SELECT is_completed FROM task_runs WHERE task_run_id = $1", id)[0]
              .as<bool>();
      tx.commit();
    }
    if (completed) {
      if (request.as_json) {
        answer({{"expired_units", expired}});
      } else {
        out << "task run " << id << " completed\n";
      }
      return 0;
    }
    if (operator_::OperatorLease::LeaseHolder(db).empty()) {
      err << "throng: no operator is running (nobody holds the operator lease), so nothing "
             "completes task run "
          << id << "; start throng-operator, or stop the run now with `throng shutdown " << id
          << " --force`\n";
      return 1;
    }
    if (at_work != reported && !request.as_json) {
      out << "task run " << id << ": " << at_work
          << " agents still at work; waiting for them (Ctrl-C leaves the run shutting down)"
          << std::endl;
    }
    reported = at_work;
    auto waited = std::chrono::steady_clock::now() - started;
    if (request.wait_seconds && waited >= std::chrono::seconds(*request.wait_seconds)) {
      err << "throng: task run " << id << " still has " << at_work << " agents at work after "
          << *request.wait_seconds << " s; it keeps shutting down. `throng shutdown " << id
          << " --force` stops them now\n";
      return 1;
    }
    if (stop.WaitFor(kPollInterval)) {
      err << "throng: interrupted; task run " << id << " keeps shutting down (" << at_work
          << " agents at work may still submit). `throng shutdown " << id
          << "` waits again, --force stops them now\n";
      return 1;
    }
  }
}

int Cleanup(pqxx::connection& db, const RunControlRequest& request, std::ostream& out,
            std::ostream& err) {
  // Holding the lease keeps an operator from starting to serve the runs being repaired.
  if (!operator_::OperatorLease::TryTakeLease(db)) {
    auto holder = operator_::OperatorLease::LeaseHolder(db);
    err << "throng: operator " << holder
        << " holds the operator lease and serves the live runs; cleanup changes nothing while "
           "an operator runs. Stop it first, or end a run with `throng shutdown <run>`\n";
    if (request.as_json) {
      out << json{{"operator", holder}, {"dry_run", request.dry_run}, {"runs", json::array()}}
                 .dump()
          << "\n";
    }
    return 1;
  }
  json runs = json::array();
  std::string text;
  {
    pqxx::work tx(db);
    auto live = tx.exec(
        "SELECT r.task_run_id, t.task_name FROM task_runs r JOIN tasks t ON t.task_id = r.task_id"
        " WHERE NOT r.is_completed ORDER BY r.task_run_id");
    for (const auto& row : live) {
      auto id = row[0].as<std::int64_t>();
      auto name = row[1].as<std::string>();
      auto stopped = StopRun(tx, id);
      auto entry = StoppedJson(stopped);
      entry["task_run_id"] = std::to_string(id);
      entry["task_name"] = name;
      runs.push_back(entry);
      text += "task run " + std::to_string(id) + " (" + name +
              "): " + StoppedText(stopped, request.dry_run) + "\n";
    }
    // A dry run made the very same changes; rolling them back leaves the database as it was.
    if (request.dry_run) {
      tx.abort();
    } else {
      tx.commit();
    }
  }
  operator_::OperatorLease::ReleaseLease(db);
  if (request.as_json) {
    out << json{{"operator", nullptr}, {"dry_run", request.dry_run}, {"runs", runs}}.dump() << "\n";
  } else if (runs.empty()) {
    out << "no operator is running and no task run is live; nothing to clean up\n";
  } else {
    out << "no operator is running (nobody holds the operator lease)\n" << text;
    if (request.dry_run) out << "dry run: nothing was changed\n";
  }
  return 0;
}

}  // namespace

tl::expected<RunControlRequest, std::string> ParseRunControlRequest(const CommandLine& args) {
  RunControlRequest request;
  request.as_json = args.at("--json").asBool();
  std::optional<std::string> stray;
  if (args.at("cleanup").asBool()) {
    request.command = Command::kCleanup;
    stray = UnacceptedOption(args, {"--dry-run"});
  } else {
    request.command = args.at("expire").asBool() ? Command::kExpire : Command::kShutdown;
    stray = request.command == Command::kExpire ? UnacceptedOption(args, {})
                                                : UnacceptedOption(args, {"--force", "--wait"});
    auto run = args.at("<run>").asString();
    auto id = ParseId(run);
    if (!id) {
      return tl::make_unexpected("<run> is a task run id (a number), not '" + run +
                                 "'; `throng runs` lists them");
    }
    request.task_run_id = *id;
  }
  const char* command = request.command == Command::kCleanup  ? "cleanup"
                        : request.command == Command::kExpire ? "expire"
                                                              : "shutdown";
  if (stray) return tl::make_unexpected(std::string(command) + " does not take " + *stray);
  request.force = args.at("--force").asBool();
  request.dry_run = args.at("--dry-run").asBool();
  if (auto wait = OptionalArg(args, "--wait")) {
    auto seconds = ParseId(*wait);
    if (!seconds || *seconds == 0 || *seconds > 86400 * 365) {
      return tl::make_unexpected("--wait takes a number of seconds above 0, not '" + *wait + "'");
    }
    if (request.force) {
      return tl::make_unexpected("--force stops the run at once; --wait goes without it");
    }
    request.wait_seconds = static_cast<int>(*seconds);
  }
  return request;
}

int RunControl(pqxx::connection& db, const RunControlRequest& request, std::ostream& out,
               std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  switch (request.command) {
    case Command::kExpire:
      return Expire(db, request, out, err);
    case Command::kShutdown:
      return Shutdown(db, request, out, err);
    case Command::kCleanup:
      return Cleanup(db, request, out, err);
  }
  return 1;
}

}  // namespace throng::cli

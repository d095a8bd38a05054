#include "review_commands.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_database.hpp"
#include "command_options.hpp"
#include "worker_pool_rules.hpp"

namespace throng::cli {

using nlohmann::json;
using Action = ReviewRequest::Action;

namespace {

struct ActionName {
  const char* command;
  Action action;
};
constexpr ActionName kActions[] = {
    {"list", Action::kList},      {"approve", Action::kApprove},
    {"reject", Action::kReject},  {"soft-reject", Action::kSoftReject},
    {"bonus", Action::kBonus},    {"grant", Action::kGrant},
    {"revoke", Action::kRevoke},  {"block", Action::kBlock},
    {"unblock", Action::kUnblock}};

// A verdict's unit status, agent status (also the worker_review status) and past tense.
struct Verdict {
  const char* unit_status;
  const char* agent_status;
  const char* done;
};
Verdict VerdictOf(Action action) {
  switch (action) {
    case Action::kApprove:
      return {"accepted", "approved", "approved"};
    case Action::kReject:
      return {"rejected", "rejected", "rejected"};
    default:
      return {"soft_rejected", "soft_rejected", "soft-rejected"};
  }
}

bool IsVerdict(Action action) {
  return action == Action::kApprove || action == Action::kReject || action == Action::kSoftReject;
}

// Ids are numbers from the command line or the database: safe in an SQL array literal.
std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string text = "{";
  for (auto id : ids) text += (text.size() > 1 ? "," : "") + std::to_string(id);
  return text + "}";
}

std::string JoinIds(const std::vector<std::int64_t>& ids) {
  std::string text;
  for (auto id : ids) text += (text.empty() ? "" : ", ") + std::to_string(id);
  return text;
}

std::string Money(int cents) {
  std::ostringstream text;
  text << cents / 100 << "." << std::setw(2) << std::setfill('0') << cents % 100;
  return text.str();
}

// Units of the run that are completed and not yet reviewed, oldest first.
int ListAwaiting(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
                 std::ostream& err) {
  pqxx::read_transaction tx(db);
  if (!FindRun(tx, request.task_run_id, err)) return 1;
  auto rows = tx.exec_params(
      "SELECT u.unit_id::text, u.unit_index, w.worker_name, a.agent_id::text,"
      " to_char(d.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
      " extract(epoch FROM d.submitted_at - a.creation_date)::double precision,"
      " d.submission::text "
      "FROM units u JOIN agents a ON a.agent_id = u.agent_id"
      " JOIN workers w ON w.worker_id = a.worker_id"
      " LEFT JOIN agent_data d ON d.agent_id = a.agent_id "
      "WHERE u.task_run_id = $1 AND u.status = 'completed' ORDER BY u.unit_id",
      request.task_run_id);
  if (request.as_json) {
    json units = json::array();
    for (const auto& row : rows) {
      units.push_back({{"unit_id", row[0].as<std::string>()},
                       {"unit_index", row[1].as<int>()},
                       {"worker_name", row[2].as<std::string>()},
                       {"agent_id", row[3].as<std::string>()},
                       {"submitted_at", row[4].is_null() ? json() : json(row[4].c_str())},
                       {"seconds_worked", row[5].is_null() ? json() : json(row[5].as<double>())},
                       {"data", row[6].is_null() ? json() : json::parse(row[6].c_str())}});
    }
    out << json{{"task_run_id", std::to_string(request.task_run_id)}, {"units", units}}.dump()
        << "\n";
    return 0;
  }
  if (rows.empty()) {
    out << "task run " << request.task_run_id << " has no units awaiting review\n";
    return 0;
  }
  out << std::left << std::setw(10) << "UNIT" << std::setw(24) << "WORKER" << std::setw(10)
      << "AGENT" << std::setw(22) << "SUBMITTED" << std::right << std::setw(8) << "SECONDS"
      << "\n";
  for (const auto& row : rows) {
    out << std::left << std::setw(10) << row[0].c_str() << std::setw(24)
        << row[2].as<std::string>().substr(0, 23) << std::setw(10) << row[3].c_str()
        << std::setw(22) << (row[4].is_null() ? "-" : row[4].c_str()) << std::right << std::setw(8)
        << (row[5].is_null() ? 0L : std::lround(row[5].as<double>())) << "\n";
  }
  out << rows.size() << " units awaiting review: `throng review " << request.task_run_id
      << " approve|reject|soft-reject <unit>...` (or --all)\n";
  return 0;
}

// approve, reject, soft-reject: every unit or none, in one transaction.
int Decide(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
           std::ostream& err) {
  auto verdict = VerdictOf(request.action);
  pqxx::work tx(db);
  if (!FindRun(tx, request.task_run_id, err)) return 1;
  auto rows = tx.exec_params(
      "SELECT u.unit_id, u.status FROM units u "
      "WHERE u.task_run_id = $1 AND (u.unit_id = ANY($2::bigint[]) OR"
      " ($3 AND u.status = 'completed')) ORDER BY u.unit_id FOR UPDATE",
      request.task_run_id, IdArray(request.units), request.all_completed);
  std::vector<std::int64_t> units;
  bool refused = false;
  for (auto unit : request.units) {
    auto found = std::find_if(rows.begin(), rows.end(), [&](const auto& row) {
      return row[0].template as<std::int64_t>() == unit;
    });
    if (found == rows.end()) {
      err << "throng: unit " << unit << " is not a unit of task run " << request.task_run_id
          << "; `throng review " << request.task_run_id << " list` shows the units to review\n";
      refused = true;
    } else if (auto status = (*found)[1].as<std::string>(); status != "completed") {
      err << "throng: unit " << unit << " is " << status
          << ", not awaiting review (only completed units are reviewed)\n";
      refused = true;
    }
  }
  if (refused) {
    err << "throng: nothing was " << verdict.done << "\n";
    return 1;
  }
  for (const auto& row : rows) units.push_back(row[0].as<std::int64_t>());
  auto ids = IdArray(units);
  tx.exec_params("UPDATE units SET status = $2 WHERE unit_id = ANY($1::bigint[])", ids,
                 verdict.unit_status);
  tx.exec_params(
      "UPDATE agents a SET status = $2, update_date = now() FROM units u"
      " WHERE u.unit_id = ANY($1::bigint[]) AND a.agent_id = u.agent_id",
      ids, verdict.agent_status);
  tx.exec_params(
      "INSERT INTO worker_review (unit_id, worker_id, task_id, status, review_note)"
      " SELECT u.unit_id, a.worker_id, u.task_id, $2, NULLIF($3, '') FROM units u"
      " JOIN agents a ON a.agent_id = u.agent_id WHERE u.unit_id = ANY($1::bigint[])",
      ids, verdict.agent_status, request.note.value_or(""));
  tx.commit();
  if (request.as_json) {
    json list = json::array();
    for (auto unit : units) list.push_back(std::to_string(unit));
    out << json{{"task_run_id", std::to_string(request.task_run_id)},
                {"status", verdict.agent_status},
                {"units", list}}
               .dump()
        << "\n";
  } else if (units.empty()) {
    out << "task run " << request.task_run_id << " has no units awaiting review\n";
  } else {
    out << "task run " << request.task_run_id << ": " << verdict.done << " " << units.size()
        << (units.size() == 1 ? " unit (" : " units (") << JoinIds(units) << ")\n";
  }
  return 0;
}

int Bonus(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
          std::ostream& err) {
  auto unit = request.units.at(0);
  pqxx::work tx(db);
  auto run = FindRun(tx, request.task_run_id, err);
  if (!run) return 1;
  auto rows = tx.exec_params(
      "SELECT u.status, a.worker_id, w.worker_name FROM units u"
      " JOIN agents a ON a.agent_id = u.agent_id JOIN workers w ON w.worker_id = a.worker_id"
      " WHERE u.unit_id = $1 AND u.task_run_id = $2",
      unit, request.task_run_id);
  if (rows.empty()) {
    err << "throng: unit " << unit << " is not a unit of task run " << request.task_run_id
        << " that a worker took; `throng export " << request.task_run_id
        << " --all` lists its units\n";
    return 1;
  }
  auto status = rows[0][0].as<std::string>();
  if (status != "completed" && status != "accepted" && status != "soft_rejected") {
    err << "throng: unit " << unit << " is " << status
        << "; a bonus goes with completed, approved or soft-rejected work\n";
    return 1;
  }
  tx.exec_params(
      "INSERT INTO worker_review (unit_id, worker_id, task_id, review_note, bonus)"
      " VALUES ($1, $2, $3, NULLIF($4, ''), $5)",
      unit, rows[0][1].as<std::int64_t>(), run->task_id, request.note.value_or(""),
      request.bonus_cents);
  tx.commit();
  auto worker = rows[0][2].as<std::string>();
  if (request.as_json) {
    out << json{{"task_run_id", std::to_string(request.task_run_id)},
                {"unit_id", std::to_string(unit)},
                {"worker_name", worker},
                {"bonus_cents", request.bonus_cents}}
               .dump()
        << "\n";
  } else {
    out << "task run " << request.task_run_id << ": bonus of " << Money(request.bonus_cents)
        << " for worker " << worker << " (unit " << unit << ") recorded; pay it through the "
        << run->provider_type << " provider\n";
  }
  return 0;
}

// The run's blueprint.block_qualification, "" if it has none.
std::string BlockQualification(const RunRow& run) {
  try {
    auto node = YAML::Load(run.init_params)["blueprint"]["block_qualification"];
    return node && node.IsScalar() ? node.as<std::string>() : std::string();
  } catch (const YAML::Exception&) {
    return std::string();
  }
}

// Grants (or revokes) one qualification of a worker and records it in worker_review; whether
// anything changed (a revoke of a qualification the worker lacks changes nothing).
bool ApplyQualification(pqxx::work& tx, const ReviewRequest& request, const RunRow& run,
                        std::int64_t worker_id, const std::string& qualification, bool granting) {
  if (granting) {
    tx.exec_params("SELECT throng_grant_qualification_to($1, $2, $3)", worker_id, qualification,
                   request.value);
  }
  auto found = tx.exec_params(
      "SELECT qualification_id FROM qualifications WHERE qualification_name = $1", qualification);
  if (found.empty()) return false;
  auto qualification_id = found[0][0].as<std::int64_t>();
  bool changed = granting || !tx.exec_params(
                                    "DELETE FROM granted_qualifications WHERE worker_id = $1"
                                    " AND qualification_id = $2 RETURNING 1",
                                    worker_id, qualification_id)
                                  .empty();
  if (changed) {
    tx.exec_params(
        "INSERT INTO worker_review (worker_id, task_id, review_note, blocked_worker,"
        " updated_qualification_id, updated_qualification_value, revoked_qualification_id)"
        " VALUES ($1, $2, NULLIF($3, ''), $4, CASE WHEN $5 THEN $6::bigint END,"
        " CASE WHEN $5 THEN $7::integer END, CASE WHEN NOT $5 THEN $6::bigint END)",
        worker_id, run.task_id, request.note.value_or(""), request.action == Action::kBlock,
        granting, qualification_id, request.value);
  }
  return changed;
}

// grant, revoke; block: grant the requester's block qualification (every run of the
// requester requires it absent) and the run's blueprint.block_qualification if it has one;
// unblock: revoke both.
int ChangeQualification(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
                        std::ostream& err) {
  bool granting = request.action == Action::kGrant || request.action == Action::kBlock;
  bool blocking = request.action == Action::kBlock || request.action == Action::kUnblock;
  pqxx::work tx(db);
  auto run = FindRun(tx, request.task_run_id, err);
  if (!run) return 1;
  std::vector<std::string> qualifications{request.qualification};
  if (blocking) {
    qualifications = {operator_::RequesterBlockQualification(run->requester_name)};
    if (auto own = BlockQualification(*run); !own.empty()) qualifications.push_back(own);
  }
  auto workers =
      tx.exec_params("SELECT worker_id FROM workers WHERE worker_name = $1 AND provider_type = $2",
                     request.worker, run->provider_type);
  if (workers.empty()) {
    err << "throng: no " << run->provider_type << " worker named '" << request.worker
        << "' (task run " << run->task_run_id << " is a " << run->provider_type
        << " run); a worker is known once it has asked for work\n";
    return 1;
  }
  auto worker_id = workers[0][0].as<std::int64_t>();
  if (!granting && !blocking &&
      tx.exec_params("SELECT 1 FROM qualifications WHERE qualification_name = $1",
                     request.qualification)
          .empty()) {
    err << "throng: no qualification named '" << request.qualification << "'\n";
    return 1;
  }
  std::vector<std::string> changed;
  for (const auto& qualification : qualifications) {
    if (ApplyQualification(tx, request, *run, worker_id, qualification, granting)) {
      changed.push_back(qualification);
    }
  }
  tx.commit();
  if (request.as_json) {
    json answer = {{"task_run_id", std::to_string(run->task_run_id)},
                   {"worker_name", request.worker},
                   {"qualification", qualifications.front()},
                   {"changed", !changed.empty()}};
    if (granting) answer["value"] = request.value;
    if (blocking) {
      answer["blocked"] = granting;
      answer["qualifications"] = qualifications;
      answer["requester_name"] = run->requester_name;
    }
    out << answer.dump() << "\n";
    return 0;
  }
  out << "worker " << request.worker;
  if (blocking && changed.empty()) {
    out << " was not blocked; nothing changed\n";
  } else if (blocking) {
    out << (granting ? " blocked from every run of requester '"
                     : " unblocked from the runs of requester '")
        << run->requester_name << "'";
    if (qualifications.size() > 1) {
      out << " and of every run that names block qualification '" << qualifications.back() << "'";
    }
    out << (granting ? "; units it holds stay its own" : "") << "\n";
  } else if (changed.empty()) {
    out << " did not have '" << request.qualification << "'; nothing changed\n";
  } else if (granting) {
    out << ": granted '" << request.qualification << "' = " << request.value << "\n";
  } else {
    out << ": revoked '" << request.qualification << "'\n";
  }
  return 0;
}

}  // namespace

std::optional<int> ParseCents(const std::string& amount) {
  auto dot = amount.find('.');
  auto whole = amount.substr(0, dot);
  auto fraction = dot == std::string::npos ? std::string() : amount.substr(dot + 1);
  if (whole.empty() || whole.size() > 7 || fraction.size() > 2 ||
      (dot != std::string::npos && fraction.empty()) ||
      (whole + fraction).find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  while (fraction.size() < 2) fraction += '0';
  return std::stoi(whole) * 100 + std::stoi(fraction);
}

tl::expected<ReviewRequest, std::string> ParseReviewRequest(const CommandLine& args) {
  ReviewRequest request;
  auto run = args.at("<run>").asString();
  auto run_id = ParseId(run);
  if (!run_id) {
    return tl::make_unexpected("<run> is a task run id (a number), not '" + run +
                               "'; `throng runs` lists them");
  }
  request.task_run_id = *run_id;
  for (const auto& name : kActions) {
    if (args.at(name.command).asBool()) request.action = name.action;
  }
  auto stray = IsVerdict(request.action)         ? UnacceptedOption(args, {"--all", "--note"})
               : request.action == Action::kList ? UnacceptedOption(args, {})
                                                 : UnacceptedOption(args, {"--note"});
  if (stray) return tl::make_unexpected("review does not take " + *stray + " here");
  request.note = OptionalArg(args, "--note");
  request.as_json = args.at("--json").asBool();
  request.all_completed = args.at("--all").asBool();
  const auto& unit_value = args.at("<unit>");
  std::vector<std::string> units;
  if (unit_value.isStringList()) units = unit_value.asStringList();
  if (unit_value.isString()) units.push_back(unit_value.asString());
  for (const auto& unit : units) {
    auto id = ParseId(unit);
    if (!id) return tl::make_unexpected("<unit> is a unit id (a number), not '" + unit + "'");
    request.units.push_back(*id);
  }
  if (IsVerdict(request.action) && units.empty() == !request.all_completed) {
    return tl::make_unexpected("review needs the units to review or --all, not both");
  }
  if (request.action == Action::kBonus) {
    auto amount = args.at("<amount>").asString();
    auto cents = ParseCents(amount);
    if (!cents || *cents <= 0) {
      return tl::make_unexpected("<amount> is a bonus above 0 in currency units, e.g. 0.50, not '" +
                                 amount + "'");
    }
    request.bonus_cents = *cents;
  }
  if (auto worker = OptionalArg(args, "<worker>")) request.worker = *worker;
  if (auto qualification = OptionalArg(args, "<qualification>")) {
    request.qualification = *qualification;
  }
  if (auto value = OptionalArg(args, "<value>")) {
    std::size_t used = 0;
    try {
      request.value = std::stoi(*value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value->size()) {
      return tl::make_unexpected("<value> is an integer, not '" + *value + "'");
    }
  }
  return request;
}

int Review(pqxx::connection& db, const ReviewRequest& request, std::ostream& out,
           std::ostream& err) {
  if (!SchemaReady(db, err)) return 1;
  switch (request.action) {
    case Action::kList:
      return ListAwaiting(db, request, out, err);
    case Action::kBonus:
      return Bonus(db, request, out, err);
    case Action::kGrant:
    case Action::kRevoke:
    case Action::kBlock:
    case Action::kUnblock:
      return ChangeQualification(db, request, out, err);
    default:
      return Decide(db, request, out, err);
  }
}

}  // namespace throng::cli

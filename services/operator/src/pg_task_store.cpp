#include "pg_task_store.hpp"

#include <charconv>
#include <chrono>
#include <string_view>

namespace throng::operator_ {

PgTaskStore::PgTaskStore(std::string dsn, DbObserver observer)
    : session_(std::move(dsn), std::move(observer)) {}

pqxx::connection& PgTaskStore::Connection() { return session_.Connection(); }

namespace {

// A row shaped (outcome, worker_id, agent_id, unit_id, init_data, unit_type) from `first` on.
RegistrationResult ReadRegistration(const pqxx::row& row, pqxx::row::size_type first) {
  RegistrationResult result;
  result.outcome = row[first].as<std::string>();
  if (!row[first + 1].is_null()) result.worker_id = row[first + 1].as<std::int64_t>();
  if (!row[first + 2].is_null()) result.agent_id = row[first + 2].as<std::int64_t>();
  if (!row[first + 3].is_null()) result.unit_id = row[first + 3].as<std::int64_t>();
  if (!row[first + 4].is_null()) result.init_data_json = row[first + 4].as<std::string>();
  if (!row[first + 5].is_null()) result.unit_type = row[first + 5].as<std::string>();
  return result;
}

// "filter_units=0.00012;valid_units=0.00031;" -> its pairs; malformed parts are skipped.
std::vector<std::pair<std::string, double>> ParsePhases(std::string_view text) {
  std::vector<std::pair<std::string, double>> phases;
  while (!text.empty()) {
    auto end = text.find(';');
    auto part = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    auto equals = part.find('=');
    if (equals == std::string_view::npos) continue;
    double seconds = 0;
    auto value = part.substr(equals + 1);
    auto [ptr, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc() && seconds >= 0) phases.emplace_back(part.substr(0, equals), seconds);
  }
  return phases;
}

}  // namespace

RegistrationResult PgTaskStore::RegisterAgent(const RegistrationRequest& request) {
  return Timed("register_agent", [&](pqxx::connection& c) {
    // The worker-pool rules and the unit reservation, in one prepared statement committed on
    // its own (one round trip); the function leaves the time of each step in throng.phases,
    // read after it ran.
    pqxx::nontransaction tx(c);
    auto rows = tx.exec_prepared(
        session_.Prepared(
            "register_agent",
            "SELECT r.outcome, r.worker_id, r.agent_id, r.unit_id, r.init_data::text,"
            " throng_assigned_unit_type(r.unit_id), current_setting('throng.phases', true) "
            "FROM throng_register_worker($1, $2, $3, $4) r"),
        request.task_run_id, request.worker_name, request.provider_type, request.registration_id);
    auto result = ReadRegistration(rows.at(0), 0);
    if (!rows.at(0)[6].is_null()) result.phase_seconds = ParsePhases(rows.at(0)[6].c_str());
    return result;
  });
}

OnboardingSubmission PgTaskStore::SubmitOnboarding(std::int64_t onboarding_agent_id,
                                                   const std::string& onboarding_data_json) {
  return Timed("submit_onboarding", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The onboarding agent existed before this statement, so its run is visible to it.
    auto rows = tx.exec_params(
        "SELECT s.verdict, s.outcome, s.worker_id, s.agent_id, s.unit_id, s.init_data::text,"
        " throng_assigned_unit_type(s.unit_id),"
        " (SELECT o.task_run_id FROM onboarding_agents o WHERE o.onboarding_agent_id = $1) "
        "FROM throng_submit_onboarding($1, $2::jsonb) s",
        onboarding_agent_id, onboarding_data_json);
    tx.commit();
    const auto& row = rows.at(0);
    OnboardingSubmission submission{row[0].as<std::string>(), ReadRegistration(row, 1), {}};
    if (!row[7].is_null()) submission.task_run_id = row[7].as<std::int64_t>();
    return submission;
  });
}

bool PgTaskStore::DisconnectOnboardingAgent(std::int64_t onboarding_agent_id) {
  return Timed("disconnect_onboarding_agent", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows =
        tx.exec_params("SELECT throng_disconnect_onboarding_agent($1)", onboarding_agent_id);
    tx.commit();
    return rows.at(0)[0].as<std::string>() == "disconnected";
  });
}

SubmitResult PgTaskStore::SubmitUnit(std::int64_t agent_id, const std::string& submission_json) {
  return Timed("submit_unit", [&](pqxx::connection& c) {
    // The submission, the answer-key check of a screening or gold unit, the unit's completion
    // time and kind and the run's fast-submission fraction, in one prepared statement committed
    // on its own (one round trip): durable when it returns.
    pqxx::nontransaction tx(c);
    auto row = tx.exec_prepared1(
        session_.Prepared("submit_unit",
                          "SELECT * FROM throng_submit_and_time_unit($1, $2::jsonb)"),
        agent_id, submission_json);
    SubmitResult result;
    auto outcome = row[0].as<std::string>();
    result.outcome = outcome == "completed"           ? SubmitOutcome::kCompleted
                     : outcome == "already_submitted" ? SubmitOutcome::kAlreadySubmitted
                     : outcome == "not_active"        ? SubmitOutcome::kNotActive
                                                      : SubmitOutcome::kUnknownAgent;
    if (!row[1].is_null()) result.task_run_id = row[1].as<std::int64_t>();
    if (!row[2].is_null()) result.seconds_worked = row[2].as<double>();
    if (!row[3].is_null()) result.unit_type = row[3].as<std::string>();
    if (!row[4].is_null()) result.answers_passed = row[4].as<bool>();
    if (!row[5].is_null()) result.fast_submission_fraction = row[5].as<double>();
    return result;
  });
}

void PgTaskStore::LogClientError(std::optional<std::int64_t> task_run_id,
                                 const std::string& agent_id, const std::string& error_json) {
  Timed("log_client_error", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The run may be unknown (or completed meanwhile); keep the error either way.
    tx.exec_params(
        "INSERT INTO client_errors (task_run_id, agent_id, error_data) "
        "SELECT r.task_run_id, $2, $3::jsonb FROM (SELECT $1::bigint AS task_run_id) q "
        "LEFT JOIN task_runs r ON r.task_run_id = q.task_run_id",
        task_run_id, agent_id, error_json);
    tx.commit();
    return 0;
  });
}

bool PgTaskStore::StoreLiveUpdate(std::int64_t agent_id, const std::string& update_id,
                                  const std::string& data_json) {
  return Timed("store_live_update", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "INSERT INTO live_updates (agent_id, direction, update_id, data)"
        " VALUES ($1, 'to_server', $2, $3::jsonb) ON CONFLICT DO NOTHING RETURNING id",
        agent_id, update_id, data_json);
    tx.commit();
    return !rows.empty();
  });
}

bool PgTaskStore::DisconnectAgent(std::int64_t agent_id) {
  return Timed("disconnect_agent", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params("SELECT throng_disconnect_agent($1)", agent_id);
    tx.commit();
    return rows.at(0)[0].as<std::string>() == "disconnected";
  });
}

bool PgTaskStore::StoreMetadata(std::int64_t agent_id, const std::string& metadata_json) {
  return Timed("store_metadata", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto result = tx.exec_params(
        "UPDATE agent_data SET metadata = COALESCE(metadata, '{}'::jsonb) || $2::jsonb"
        " WHERE agent_id = $1",
        agent_id, metadata_json);
    tx.commit();
    return result.affected_rows() == 1;
  });
}

int PgTaskStore::LaunchUnits(std::int64_t task_run_id) {
  return Timed("launch_units", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params("SELECT throng_launch_units($1)", task_run_id);
    tx.commit();
    return rows.at(0)[0].as<int>();
  });
}

int PgTaskStore::WithdrawExcessUnits(std::int64_t task_run_id) {
  return Timed("withdraw_excess_units", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto row = tx.exec_params1("SELECT throng_withdraw_excess_units($1)", task_run_id);
    tx.commit();
    return row[0].as<int>();
  });
}

std::vector<std::pair<std::string, int>> PgTaskStore::TimeOutAgents() {
  return Timed("time_out_agents", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec("SELECT reason, agents FROM throng_time_out_agents()");
    tx.commit();
    std::vector<std::pair<std::string, int>> timed_out;
    for (const auto& row : rows) timed_out.emplace_back(row[0].as<std::string>(), row[1].as<int>());
    return timed_out;
  });
}

int PgTaskStore::ShutDownRun(std::int64_t task_run_id) {
  return Timed("shut_down_run", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto row = tx.exec_params1("SELECT throng_shut_down_run($1)", task_run_id);
    tx.commit();
    return row[0].as<int>();
  });
}

std::vector<std::int64_t> PgTaskStore::CompleteFinishedRuns() {
  return Timed("complete_finished_runs", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec("SELECT * FROM throng_complete_finished_runs()");
    tx.commit();
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) ids.push_back(row[0].as<std::int64_t>());
    return ids;
  });
}

std::vector<LiveRun> PgTaskStore::LiveRuns() {
  return Timed("live_runs", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec(
        "SELECT r.task_run_id, t.task_name, r.static_dir, r.task_config::text,"
        " (extract(epoch FROM r.creation_date) * 1000)::bigint, r.task_type,"
        " r.no_submission_patience_seconds::bigint * 1000 "
        "FROM task_runs r JOIN tasks t ON t.task_id = r.task_id "
        "WHERE NOT r.is_completed ORDER BY r.task_run_id");
    std::vector<LiveRun> runs;
    for (const auto& row : rows) {
      runs.push_back(LiveRun{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), row[3].as<std::string>(),
                             row[4].as<std::int64_t>(), row[5].as<std::string>(),
                             row[6].as<std::int64_t>()});
    }
    return runs;
  });
}

}  // namespace throng::operator_

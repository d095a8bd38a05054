#include "pg_task_store.hpp"

#include <chrono>

namespace throng::operator_ {

PgTaskStore::PgTaskStore(std::string dsn, DbObserver observer)
    : session_(std::move(dsn), std::move(observer)) {}

pqxx::connection& PgTaskStore::Connection() { return session_.Connection(); }

namespace {

// A row shaped (outcome, worker_id, agent_id, unit_id, init_data) from `first` on.
RegistrationResult ReadRegistration(const pqxx::row& row, pqxx::row::size_type first) {
  RegistrationResult result;
  result.outcome = row[first].as<std::string>();
  if (!row[first + 1].is_null()) result.worker_id = row[first + 1].as<std::int64_t>();
  if (!row[first + 2].is_null()) result.agent_id = row[first + 2].as<std::int64_t>();
  if (!row[first + 3].is_null()) result.unit_id = row[first + 3].as<std::int64_t>();
  if (!row[first + 4].is_null()) result.init_data_json = row[first + 4].as<std::string>();
  return result;
}

}  // namespace

RegistrationResult PgTaskStore::RegisterAgent(const RegistrationRequest& request) {
  return Timed("register_agent", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The worker-pool rules and the unit reservation, in one round trip.
    auto rows = tx.exec_params(
        "SELECT outcome, worker_id, agent_id, unit_id, init_data::text "
        "FROM throng_register_worker($1, $2, $3, $4)",
        request.task_run_id, request.worker_name, request.provider_type, request.registration_id);
    tx.commit();
    return ReadRegistration(rows.at(0), 0);
  });
}

OnboardingSubmission PgTaskStore::SubmitOnboarding(std::int64_t onboarding_agent_id,
                                                   const std::string& onboarding_data_json) {
  return Timed("submit_onboarding", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "SELECT verdict, outcome, worker_id, agent_id, unit_id, init_data::text "
        "FROM throng_submit_onboarding($1, $2::jsonb)",
        onboarding_agent_id, onboarding_data_json);
    tx.commit();
    return OnboardingSubmission{rows.at(0)[0].as<std::string>(), ReadRegistration(rows.at(0), 1)};
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

SubmitOutcome PgTaskStore::SubmitUnit(std::int64_t agent_id, const std::string& submission_json) {
  return Timed("submit_unit", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The submission, and the answer-key check of a screening or gold unit, in one round trip.
    auto rows = tx.exec_params("SELECT throng_submit_and_validate_unit($1, $2::jsonb)", agent_id,
                               submission_json);
    tx.commit();
    auto outcome = rows.at(0)[0].as<std::string>();
    if (outcome == "completed") return SubmitOutcome::kCompleted;
    if (outcome == "already_submitted") return SubmitOutcome::kAlreadySubmitted;
    if (outcome == "not_active") return SubmitOutcome::kNotActive;
    return SubmitOutcome::kUnknownAgent;
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

int PgTaskStore::ExpireOverdueAgents() {
  return Timed("expire_overdue_agents", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec("SELECT throng_expire_overdue_agents()");
    tx.commit();
    return rows.at(0)[0].as<int>();
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
        " (extract(epoch FROM r.creation_date) * 1000)::bigint, r.task_type "
        "FROM task_runs r JOIN tasks t ON t.task_id = r.task_id "
        "WHERE NOT r.is_completed ORDER BY r.task_run_id");
    std::vector<LiveRun> runs;
    for (const auto& row : rows) {
      runs.push_back(LiveRun{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                             row[2].as<std::string>(), row[3].as<std::string>(),
                             row[4].as<std::int64_t>(), row[5].as<std::string>()});
    }
    return runs;
  });
}

}  // namespace throng::operator_

#pragma once

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "pg_session.hpp"
#include "task_store.hpp"

namespace throng::operator_ {

// TaskStore on PostgreSQL through one libpqxx connection (one store per thread). Each hot-path
// call is a single round trip to a function from the migrations. Reconnects on the next call
// after the connection broke.
class PgTaskStore final : public TaskStore {
 public:
  PgTaskStore(std::string dsn, DbObserver observer = {});

  RegistrationResult RegisterAgent(const RegistrationRequest& request) override;
  SubmitResult SubmitUnit(std::int64_t agent_id, const std::string& submission_json) override;
  void LogClientError(std::optional<std::int64_t> task_run_id, const std::string& agent_id,
                      const std::string& error_json) override;

  bool StoreLiveUpdate(std::int64_t agent_id, const std::string& update_id,
                       const std::string& data_json) override;
  bool DisconnectAgent(std::int64_t agent_id) override;
  bool StoreMetadata(std::int64_t agent_id, const std::string& metadata_json) override;
  OnboardingSubmission SubmitOnboarding(std::int64_t onboarding_agent_id,
                                        const std::string& onboarding_data_json) override;
  bool DisconnectOnboardingAgent(std::int64_t onboarding_agent_id) override;

  // Maintenance, run periodically by the operator.
  int LaunchUnits(std::int64_t task_run_id);
  // A lowered max_num_concurrent_units: launched units over the cap go back to created.
  int WithdrawExcessUnits(std::int64_t task_run_id);
  // Agents past assignment_duration or submission_timeout: how many, by that reason.
  std::vector<std::pair<std::string, int>> TimeOutAgents();
  // Expires the units of a run nobody holds (no_submission_patience); how many.
  int ShutDownRun(std::int64_t task_run_id);
  std::vector<std::int64_t> CompleteFinishedRuns();
  std::vector<LiveRun> LiveRuns();

  pqxx::connection& Connection();
  // The store's connection, for other work of the same thread (the live side of a worker).
  PgSession& Session() { return session_; }
  // Runs fn(connection) as one call named `method`, reported as the store's own calls are
  // (latency, errors, refused status changes); for steps kept outside the store.
  template <typename Fn>
  auto Timed(const char* method, Fn&& fn) {
    return session_.Timed(method, std::forward<Fn>(fn));
  }

 private:
  PgSession session_;
};

}  // namespace throng::operator_

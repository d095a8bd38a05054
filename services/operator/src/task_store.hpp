#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace throng::operator_ {

struct RegistrationRequest {
  std::int64_t task_run_id = 0;
  std::string worker_name;
  std::string provider_type;
  std::string registration_id;  // Mephisto agent_registration_id: same page reload, same agent
};

struct RegistrationResult {
  // assigned | reconnection | no_available_units | agent_missing | unknown_run |
  // not_qualified (a qualification requirement, the block qualification or a failed
  // onboarding) | onboarding | onboarding_reconnection (agent_id is then an onboarding agent's
  // id and init_data the run's onboarding data)
  std::string outcome;
  std::optional<std::int64_t> worker_id;
  std::optional<std::int64_t> agent_id;
  std::optional<std::int64_t> unit_id;
  std::string init_data_json = "null";
  // Seconds spent in each step of the registration inside PostgreSQL: filter_units (the
  // worker's qualifications), valid_units (limits, unit reservation, agent and init data).
  std::vector<std::pair<std::string, double>> phase_seconds;
  // The kind of the unit given (standard | screening | gold); empty when there is none.
  std::string unit_type = {};
};

// What submitting onboarding answers led to.
struct OnboardingSubmission {
  // passed | failed: this submission was checked against the answer key; decided: an earlier
  // one was (a retried request); none: nothing was checked (unknown or disconnected agent).
  std::string verdict;
  // What the worker is told, as a registration: assigned (the real agent) | reconnection |
  // no_available_units | unknown_run | not_qualified | agent_missing | unknown_agent.
  RegistrationResult registration;
  // The onboarding agent's run; none for an unknown onboarding agent.
  std::optional<std::int64_t> task_run_id = {};
};

enum class SubmitOutcome { kCompleted, kAlreadySubmitted, kUnknownAgent, kNotActive };

struct SubmitResult {
  SubmitOutcome outcome = SubmitOutcome::kUnknownAgent;
  std::optional<std::int64_t> task_run_id;  // the agent's run; none for an unknown agent
  // Set when this submission completed the unit: seconds since the agent was given it.
  std::optional<double> seconds_worked;
  // Set with seconds_worked: the kind of unit (standard | screening | gold).
  std::string unit_type = {};
  // Screening and gold units: whether the answers matched the unit's answer key.
  std::optional<bool> answers_passed = {};
  // The run's monitoring.fast_submission_fraction.
  double fast_submission_fraction = 0.25;
};

struct LiveRun {
  std::int64_t task_run_id = 0;
  std::string task_name;
  std::string static_dir;
  std::string task_config_json;
  std::int64_t created_ms = 0;
  std::string task_type;  // the blueprint: static_task, static_react_task, paired_chat
  std::int64_t no_submission_patience_ms = 0;
};

// What the packet handler needs from persistent storage. Methods throw on database failure;
// the caller turns that into an error reply. Implementations are used by one thread at a time.
class TaskStore {
 public:
  virtual ~TaskStore() = default;
  virtual RegistrationResult RegisterAgent(const RegistrationRequest& request) = 0;
  virtual SubmitResult SubmitUnit(std::int64_t agent_id, const std::string& submission_json) = 0;
  virtual void LogClientError(std::optional<std::int64_t> task_run_id, const std::string& agent_id,
                              const std::string& error_json) = 0;
  // Stores a browser's live update; false if this update_id was already stored (a resend).
  // Throws for an unknown agent.
  virtual bool StoreLiveUpdate(std::int64_t agent_id, const std::string& update_id,
                               const std::string& data_json) = 0;
  // Merges metadata into the agent's data; false for an unknown agent.
  virtual bool StoreMetadata(std::int64_t agent_id, const std::string& metadata_json) = 0;
  // Marks an active agent disconnected and frees its unit; false if it was not active.
  virtual bool DisconnectAgent(std::int64_t agent_id) = 0;
  // Checks onboarding answers, grants the onboarding qualification (and <qual>-failed on a
  // fail) and, on a pass, reserves a unit for the worker: one round trip.
  virtual OnboardingSubmission SubmitOnboarding(std::int64_t onboarding_agent_id,
                                                const std::string& onboarding_data_json) = 0;
  // An onboarding page's socket went away for good; false if it was not onboarding.
  virtual bool DisconnectOnboardingAgent(std::int64_t onboarding_agent_id) = 0;
};

}  // namespace throng::operator_

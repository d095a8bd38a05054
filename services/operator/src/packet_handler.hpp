#pragma once

#include <optional>

#include "agent_ids.hpp"
#include "operator_probe.hpp"
#include "run_activity.hpp"
#include "submission_quality_classifier.hpp"
#include "task_store.hpp"
#include "throng/common/clock.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::operator_ {

// Turns one packet from a router into store calls and at most one reply:
//   register_agent -> agent_details (payload: the Mephisto packet's `data` object); a worker
//                     who must onboard first gets the onboarding agent "onboarding_<id>"
//   submit_unit    -> submit_ack, after the submission is committed
//   log_error      -> no reply
//   mephisto_bound_live_update -> stored once per update_id, no reply
//   submit_metadata -> metadata_ack, after the metadata is committed
//   submit_onboarding -> agent_details: the answers are checked; a pass gets the real agent
//                        (or no work), a fail NOT_QUALIFIED
//   disconnect     -> the agent is marked disconnected and its unit offered again
// Bad payloads and unknown agents get an ENVELOPE_KIND_ERROR_REPLY. Requests whose
// deadline has passed are dropped: the router already told the browser it timed out.
// Stateless apart from the store; one handler per database worker thread.
class PacketHandler {
 public:
  // `activity` (optional) hears of every submission, for no_submission_patience; `quality`
  // (optional, shared by the workers) classifies completed standard units for the metrics.
  // Agent ids go out and come back through `ids`: an id this cluster did not issue names no
  // agent.
  PacketHandler(TaskStore& store, const AgentIds& ids, OperatorProbe& probe, const Clock& clock,
                RunActivity* activity = nullptr, SubmissionQualityClassifier* quality = nullptr);

  std::optional<v1::Envelope> Handle(const v1::Envelope& request);

 private:
  std::optional<v1::Envelope> RegisterAgent(const v1::Envelope& request);
  std::optional<v1::Envelope> SubmitUnit(const v1::Envelope& request);
  std::optional<v1::Envelope> LogError(const v1::Envelope& request);
  std::optional<v1::Envelope> LiveUpdate(const v1::Envelope& request);
  std::optional<v1::Envelope> Disconnect(const v1::Envelope& request);
  std::optional<v1::Envelope> SubmitMetadata(const v1::Envelope& request);
  std::optional<v1::Envelope> SubmitOnboarding(const v1::Envelope& request);
  // Mephisto's agent_details answering a registration (or an onboarding submission).
  v1::Envelope AgentDetails(const v1::Envelope& request, const RegistrationResult& result);
  // What a registration handed out, for the launch counters: an onboarding agent, or a
  // screening or gold unit made for this worker.
  void CountLaunches(std::int64_t task_run_id, const RegistrationResult& result);
  // The metrics of a completed unit: its answer-key check, or its quality.
  void CountCompletion(const SubmitResult& submitted, const nlohmann::json& final_data);

  TaskStore& store_;
  const AgentIds& ids_;
  OperatorProbe& probe_;
  const Clock& clock_;
  RunActivity* activity_;
  SubmissionQualityClassifier* quality_;
};

// An ERROR_REPLY envelope answering `request`.
v1::Envelope MakeErrorReply(const v1::Envelope& request, v1::ErrorCode code,
                            const std::string& message);

}  // namespace throng::operator_

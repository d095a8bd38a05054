#include "packet_handler.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

#include "agent_ids.hpp"
#include "database_id.hpp"
#include "throng/common/envelope_codec.hpp"
#include "worker_failure_reasons.hpp"

namespace throng::operator_ {

namespace {

using nlohmann::json;

std::optional<json> ParseObject(const std::string& payload) {
  auto parsed = json::parse(payload, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::string IdText(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : std::string();
}

// Agent ids inside error texts: bounded, whatever a client sent.
std::string Quoted(const std::string& text) { return "'" + text.substr(0, 64) + "'"; }

}  // namespace

v1::Envelope MakeErrorReply(const v1::Envelope& request, v1::ErrorCode code,
                            const std::string& message) {
  auto reply = MakeReply(request, request.packet_type());
  reply.set_kind(v1::ENVELOPE_KIND_ERROR_REPLY);
  v1::ErrorReply error;
  error.set_code(code);
  error.set_message(message);
  reply.set_payload(error.SerializeAsString());
  return reply;
}

PacketHandler::PacketHandler(TaskStore& store, const AgentIds& ids, OperatorProbe& probe,
                             const Clock& clock, RunActivity* activity,
                             SubmissionQualityClassifier* quality)
    : store_(store),
      ids_(ids),
      probe_(probe),
      clock_(clock),
      activity_(activity),
      quality_(quality) {}

std::optional<v1::Envelope> PacketHandler::Handle(const v1::Envelope& request) {
  const auto& type = request.packet_type();
  bool known = type == "register_agent" || type == "submit_unit" || type == "log_error" ||
               type == "mephisto_bound_live_update" || type == "disconnect" ||
               type == "submit_metadata" || type == "submit_onboarding";
  const std::string label = known ? type : "unknown";
  probe_.PacketReceived(label);
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](const std::string& outcome) {
    probe_.PacketProcessed(
        label, outcome,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };

  if (request.deadline_ms() != 0 && clock_.NowMillis() > request.deadline_ms()) {
    finish("late");
    return std::nullopt;
  }
  std::optional<v1::Envelope> reply;
  try {
    if (type == "register_agent") {
      reply = RegisterAgent(request);
    } else if (type == "submit_unit") {
      reply = SubmitUnit(request);
    } else if (type == "log_error") {
      reply = LogError(request);
    } else if (type == "mephisto_bound_live_update") {
      reply = LiveUpdate(request);
    } else if (type == "disconnect") {
      reply = Disconnect(request);
    } else if (type == "submit_metadata") {
      reply = SubmitMetadata(request);
    } else if (type == "submit_onboarding") {
      reply = SubmitOnboarding(request);
    } else {
      reply = MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST,
                             "unknown packet type '" + type.substr(0, 64) + "'");
    }
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", label, e.what());
    finish("internal_error");
    return MakeErrorReply(request, v1::ERROR_CODE_INTERNAL,
                          "the task server could not process the request; please retry");
  }
  if (reply) {
    reply->mutable_timestamps()->set_server_incoming(request.timestamps().server_incoming());
    reply->mutable_timestamps()->set_server_outgoing(clock_.NowSeconds());
  }
  finish(!reply ? "ok" : reply->kind() == v1::ENVELOPE_KIND_ERROR_REPLY ? "error" : "ok");
  return reply;
}

std::optional<v1::Envelope> PacketHandler::RegisterAgent(const v1::Envelope& request) {
  auto body = ParseObject(request.payload());
  if (!body || !(*body).contains("provider_data") || !(*body)["provider_data"].is_object()) {
    return MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST,
                          "register_agent needs a JSON object with a provider_data object");
  }
  const auto& provider = (*body)["provider_data"];
  if (!provider.contains("worker_name") || !provider["worker_name"].is_string() ||
      provider["worker_name"].get<std::string>().empty()) {
    return MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST,
                          "provider_data.worker_name must be a non-empty string");
  }
  auto run_id = ParseDatabaseId(request.task_run_id());
  RegistrationRequest registration;
  registration.task_run_id = run_id.value_or(0);
  registration.worker_name = provider["worker_name"].get<std::string>();
  registration.provider_type = provider.value("provider_type", std::string("mock"));
  if (provider.contains("agent_registration_id") && provider["agent_registration_id"].is_string()) {
    registration.registration_id = provider["agent_registration_id"].get<std::string>();
  }

  RegistrationResult result;
  if (run_id) {
    result = store_.RegisterAgent(registration);
    for (const auto& [phase, seconds] : result.phase_seconds) {
      probe_.RegistrationPhase(phase, seconds);
    }
    CountLaunches(*run_id, result);
  } else {
    result.outcome = "unknown_run";
  }
  return AgentDetails(request, result);
}

void PacketHandler::CountLaunches(std::int64_t task_run_id, const RegistrationResult& result) {
  // Standard units are counted when maintenance launches them; a screening or gold unit is
  // made by the registration that assigns it (a reconnection gets an existing one).
  if (result.outcome == "onboarding") probe_.OnboardingAgentLaunched(task_run_id);
  if (result.outcome == "assigned" &&
      (result.unit_type == "screening" || result.unit_type == "gold")) {
    probe_.UnitsLaunched(task_run_id, result.unit_type, 1);
  }
}

v1::Envelope PacketHandler::AgentDetails(const v1::Envelope& request,
                                         const RegistrationResult& result) {
  json data{{"request_id", request.request_id()},
            {"worker_id", result.worker_id ? json(IdText(result.worker_id)) : json(nullptr)},
            {"agent_id", nullptr},
            {"init_task_data", nullptr},
            {"failure_reason", nullptr}};
  auto init_task_data = [&] {
    auto parsed = json::parse(result.init_data_json, nullptr, false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
  };
  std::string response = result.outcome;
  if (result.outcome == "assigned" || result.outcome == "reconnection") {
    data["agent_id"] = ids_.Task(*result.agent_id);
    data["init_task_data"] = init_task_data();
  } else if (result.outcome == "onboarding" || result.outcome == "onboarding_reconnection") {
    data["agent_id"] = ids_.Onboarding(*result.agent_id);
    data["init_task_data"] = init_task_data();
    response = result.outcome == "onboarding" ? "assigned_onboarding" : "reconnection";
  } else if (result.outcome == "not_qualified") {
    data["failure_reason"] = kNotQualified;
  } else if (result.outcome == "agent_missing") {
    data["failure_reason"] = kTaskMissing;
  } else {
    // no_available_units, and a run that finished or never existed: nothing to do here now.
    data["failure_reason"] = kNoAvailableUnits;
    response = "no_available_units";
  }
  probe_.AgentDetailsResponse(response);

  auto reply = MakeReply(request, "agent_details");
  reply.set_agent_id(data["agent_id"].is_string() ? data["agent_id"].get<std::string>() : "");
  reply.set_payload(data.dump());
  return reply;
}

std::optional<v1::Envelope> PacketHandler::SubmitOnboarding(const v1::Envelope& request) {
  auto body = ParseObject(request.payload());
  if (!body || !body->contains("onboarding_data") || !(*body)["onboarding_data"].is_object()) {
    return MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST,
                          "submit_onboarding needs a JSON object with an onboarding_data object");
  }
  std::string agent_text = request.agent_id();
  if (agent_text.empty() && body->contains("USED_AGENT_ID") &&
      (*body)["USED_AGENT_ID"].is_string()) {
    agent_text = (*body)["USED_AGENT_ID"].get<std::string>();
  }
  auto onboarding_id = ids_.ParseOnboarding(agent_text);
  if (!onboarding_id) {
    return MakeErrorReply(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                          Quoted(agent_text) + " is not an onboarding agent id this server issued");
  }
  auto submission = store_.SubmitOnboarding(*onboarding_id, (*body)["onboarding_data"].dump());
  if (submission.registration.outcome == "unknown_agent") {
    return MakeErrorReply(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                          "unknown onboarding agent " + Quoted(agent_text));
  }
  if (submission.task_run_id) {
    if (submission.verdict == "passed" || submission.verdict == "failed") {
      probe_.ValidationOutcome(*submission.task_run_id, "onboarding",
                               submission.verdict == "passed");
    }
    CountLaunches(*submission.task_run_id, submission.registration);
  }
  // Passed: the real agent (or no work now); failed: NOT_QUALIFIED, as Mephisto answers.
  return AgentDetails(request, submission.registration);
}

std::optional<v1::Envelope> PacketHandler::SubmitUnit(const v1::Envelope& request) {
  auto body = ParseObject(request.payload());
  if (!body) {
    return MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST, "submit_task needs a JSON object");
  }
  std::string agent_text = request.agent_id();
  if (agent_text.empty() && body->contains("USED_AGENT_ID") &&
      (*body)["USED_AGENT_ID"].is_string()) {
    agent_text = (*body)["USED_AGENT_ID"].get<std::string>();
  }
  auto agent_id = ids_.ParseTask(agent_text);
  if (!agent_id) {
    return MakeErrorReply(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                          "unknown agent id '" + agent_text + "'");
  }
  json submission = body->contains("final_data") ? (*body)["final_data"] : json::object();
  auto submitted = store_.SubmitUnit(*agent_id, submission.dump());
  if (submitted.seconds_worked && submitted.task_run_id) {
    probe_.UnitCompleted(*submitted.task_run_id, *submitted.seconds_worked);
    if (activity_) activity_->SubmissionReceived(*submitted.task_run_id, clock_.NowMillis());
    CountCompletion(submitted, submission);
  }
  switch (submitted.outcome) {
    case SubmitOutcome::kCompleted:
    case SubmitOutcome::kAlreadySubmitted: {
      auto reply = MakeReply(request, "submit_ack");
      reply.set_payload(R"({"status":"Submitted!"})");
      return reply;
    }
    case SubmitOutcome::kNotActive:
      return MakeErrorReply(
          request, v1::ERROR_CODE_CONFLICT,
          "agent " + agent_text + " can no longer submit (its assignment ended or timed out)");
    case SubmitOutcome::kUnknownAgent:
      break;
  }
  return MakeErrorReply(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                        "unknown agent id '" + agent_text + "'");
}

void PacketHandler::CountCompletion(const SubmitResult& submitted, const json& final_data) {
  const auto run = *submitted.task_run_id;
  if (submitted.unit_type == "screening" || submitted.unit_type == "gold") {
    if (submitted.answers_passed) {
      probe_.ValidationOutcome(run, submitted.unit_type, *submitted.answers_passed);
    }
  } else if (submitted.unit_type == "standard" && quality_) {
    probe_.SubmissionClassified(run, quality_->Classify(run, final_data, *submitted.seconds_worked,
                                                        submitted.fast_submission_fraction));
  }
}

std::optional<v1::Envelope> PacketHandler::LogError(const v1::Envelope& request) {
  auto body = ParseObject(request.payload());
  if (!body) return std::nullopt;  // fire-and-forget: the router already validated and answered
  json error_data = body->contains("error_data") ? (*body)["error_data"]
                    : body->contains("data")     ? (*body)["data"]
                                                 : *body;
  store_.LogClientError(ParseDatabaseId(request.task_run_id()),
                        request.agent_id().empty() ? "" : ids_.Describe(request.agent_id()),
                        error_data.dump());
  return std::nullopt;
}

std::optional<v1::Envelope> PacketHandler::LiveUpdate(const v1::Envelope& request) {
  auto agent_id = ids_.ParseTask(request.agent_id());
  auto packet = ParseObject(request.payload());
  if (!agent_id || !packet) {
    spdlog::warn("dropping live update for agent {}: not a packet for a known agent id",
                 Quoted(request.agent_id()));
    return std::nullopt;  // websocket traffic: nobody waits for an answer
  }
  json data = packet->contains("data") ? (*packet)["data"] : json::object();
  std::string update_id;
  if (data.is_object() && data.contains("update_id") && data["update_id"].is_string()) {
    update_id = data["update_id"].get<std::string>();
  } else {
    // Without an update_id a resend cannot be recognised; key it by the router's request.
    update_id = "router:" + request.router_id() + ":" +
                std::to_string(request.timestamps().router_incoming());
  }
  if (!store_.StoreLiveUpdate(*agent_id, update_id, data.dump())) {
    spdlog::debug("live update {} of agent {} already stored", update_id, *agent_id);
  }
  return std::nullopt;
}

std::optional<v1::Envelope> PacketHandler::Disconnect(const v1::Envelope& request) {
  if (auto onboarding_id = ids_.ParseOnboarding(request.agent_id())) {
    if (store_.DisconnectOnboardingAgent(*onboarding_id)) {
      spdlog::info("onboarding agent {} disconnected", *onboarding_id);
    }
    return std::nullopt;
  }
  auto agent_id = ids_.ParseTask(request.agent_id());
  if (agent_id && store_.DisconnectAgent(*agent_id)) {
    spdlog::info("agent {} disconnected; its unit is offered again", *agent_id);
  }
  return std::nullopt;
}

std::optional<v1::Envelope> PacketHandler::SubmitMetadata(const v1::Envelope& request) {
  auto body = ParseObject(request.payload());
  if (!body || !body->contains("metadata") || !(*body)["metadata"].is_object()) {
    return MakeErrorReply(request, v1::ERROR_CODE_BAD_REQUEST,
                          "submit_metadata needs a metadata object");
  }
  auto agent_id = ids_.ParseTask(request.agent_id());
  if (!agent_id || !store_.StoreMetadata(*agent_id, (*body)["metadata"].dump())) {
    return MakeErrorReply(request, v1::ERROR_CODE_UNKNOWN_AGENT,
                          "unknown agent id '" + request.agent_id() + "'");
  }
  auto reply = MakeReply(request, "metadata_ack");
  reply.set_payload(R"({"status":"Submitted metadata"})");
  return reply;
}

}  // namespace throng::operator_

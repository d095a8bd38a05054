#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

#include "agent_gate.hpp"
#include "live_hub.hpp"
#include "operator_link.hpp"
#include "router_config.hpp"
#include "router_probe.hpp"
#include "run_table.hpp"
#include "static_files.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/http_server.hpp"
#include "upload_store.hpp"

namespace throng::router {

// The browser-facing HTTP side of Mephisto's router: static files, task_config.json,
// /request_agent, /submit_onboarding and /submit_task (held until the operator answers, bounded
// by the request timeout, failing at once when the operator is unreachable), /log_error,
// /is_alive, /get_timestamp. Refuses bad input with a 4xx JSON error counted by reason, and any
// agent id the operator did not issue with 403. Takes the agent credential key from the
// operator's heartbeats.
// Everything runs on the io thread; operator envelopes are posted to it.
class WorkerApi {
 public:
  WorkerApi(boost::asio::io_context& io, const RouterConfig& config, AgentGate& gate,
            OperatorLink& link, LiveHub& hub, RouterProbe& probe, const Clock& clock);

  void Handle(HttpRequest&& request, std::shared_ptr<HttpResponder> responder);
  void OnOperatorEnvelope(v1::Envelope envelope);
  void OnSendFailed(const v1::Envelope& envelope);
  std::size_t HeldCount() const { return held_.size(); }

 private:
  struct Held {
    std::shared_ptr<HttpResponder> responder;
    HttpRequest meta;  // version and keep-alive of the original request
    std::string endpoint;
    std::string packet_type;
    std::string agent_id;
    std::chrono::steady_clock::time_point started;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // The task run a request belongs to (see RunTable::Resolve), or null if none is live.
  const v1::TaskRunInfo* RunFor(const HttpRequest& request) const;
  void ServeStatic(const HttpRequest& request, const std::string& path,
                   const std::shared_ptr<HttpResponder>& responder,
                   std::chrono::steady_clock::time_point started);
  void ServeTaskConfig(const HttpRequest& request, const std::shared_ptr<HttpResponder>& responder,
                       std::chrono::steady_clock::time_point started);
  void RequestAgent(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                    std::chrono::steady_clock::time_point started);
  void SubmitOnboarding(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                        std::chrono::steady_clock::time_point started);
  void SubmitTask(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                  std::chrono::steady_clock::time_point started);
  void LogError(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                std::chrono::steady_clock::time_point started);
  void SubmitMetadata(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                      std::chrono::steady_clock::time_point started);
  void DownloadFile(const HttpRequest& request, const std::string& name,
                    const std::shared_ptr<HttpResponder>& responder,
                    std::chrono::steady_clock::time_point started);
  // The body as a JSON object; otherwise answers with a 400 (invalid_utf8 or malformed_json)
  // and returns nullopt.
  std::optional<nlohmann::json> ParseJsonBody(const HttpRequest& request,
                                              const std::shared_ptr<HttpResponder>& responder,
                                              const std::string& endpoint,
                                              std::chrono::steady_clock::time_point started);
  // How a request that acts for an agent is shaped: a multipart form's JSON field
  // `json_field` becomes `data_key` of the JSON body, and USED_AGENT_ID sits at the top
  // (submit_task, submit_metadata) or inside provider_data (submit_onboarding).
  struct AgentBodyShape {
    std::string json_field;
    std::string data_key;
    bool under_provider_data = false;
  };
  // The JSON body (converted from multipart if needed, in which case request.body() is
  // replaced by the JSON) of a request that names its agent in USED_AGENT_ID, an agent the
  // operator issued; on any problem answers the request with a 4xx and returns nullopt. Files
  // of a multipart form are written only once its agent and run are known.
  std::optional<nlohmann::json> ParseAgentBody(HttpRequest& request,
                                               const std::shared_ptr<HttpResponder>& responder,
                                               const AgentBodyShape& shape,
                                               const std::string& endpoint,
                                               std::chrono::steady_clock::time_point started,
                                               std::string& agent_id);
  // A multipart submission as Mephisto's JSON body: {USED_AGENT_ID, <data_key>, client_timestamp}
  // where <data_key> holds the parsed <json_field> plus files/filesByFields, the files stored
  // for run `task_run_id`. Nullopt on failure, with `error` set.
  std::optional<nlohmann::json> FormToJson(const std::vector<FormPart>& parts,
                                           const std::string& task_run_id,
                                           const std::string& json_field,
                                           const std::string& data_key, std::string& error);

  // Sends `envelope` and holds the HTTP request until the operator answers or time runs out.
  void Hold(v1::Envelope envelope, const HttpRequest& request,
            const std::shared_ptr<HttpResponder>& responder, const std::string& endpoint,
            std::chrono::steady_clock::time_point started);
  void Finish(const std::string& request_id, HttpResponse response);
  void Answer(const std::shared_ptr<HttpResponder>& responder, HttpResponse response,
              const std::string& endpoint, std::chrono::steady_clock::time_point started);
  void Refuse(const HttpRequest& request, const std::shared_ptr<HttpResponder>& responder,
              http::status status, const std::string& reason, const std::string& message,
              const std::string& endpoint, std::chrono::steady_clock::time_point started);
  // Answers a request whose path failed CheckUrlPath/CheckFileName; false if it is safe.
  bool RefuseUnsafePath(PathVerdict verdict, const HttpRequest& request,
                        const std::shared_ptr<HttpResponder>& responder,
                        const std::string& endpoint, std::chrono::steady_clock::time_point started);
  // Answers a request whose run is not live: 404, or 503 until the operator's first heartbeat.
  void RefuseNoRun(const HttpRequest& request, const std::shared_ptr<HttpResponder>& responder,
                   const std::string& endpoint, std::chrono::steady_clock::time_point started);
  // False, with the request answered, unless `agent_id` was issued by the operator.
  bool AdmitAgent(const std::string& agent_id, const HttpRequest& request,
                  const std::shared_ptr<HttpResponder>& responder, const std::string& endpoint,
                  std::chrono::steady_clock::time_point started);
  std::string NewRequestId();

  boost::asio::io_context& io_;
  const RouterConfig& config_;
  AgentGate& gate_;
  OperatorLink& link_;
  LiveHub& hub_;
  RouterProbe& probe_;
  const Clock& clock_;
  RunTable runs_;
  UploadStore uploads_;
  std::unordered_map<std::string, Held> held_;
  std::string operator_incarnation_;  // of the operator's last heartbeat
  std::mt19937_64 random_;
};

}  // namespace throng::router

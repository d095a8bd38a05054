#include "worker_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "multipart_form.hpp"
#include "static_files.hpp"
#include "utf8.hpp"

namespace throng::router {

namespace {

using nlohmann::json;
using Clock_ = std::chrono::steady_clock;

constexpr const char* kMephistoTaskVersion = "2.0.4";
constexpr std::size_t kMaxIdLength = 128;
constexpr const char* kBackendUnreachable =
    "the task server's backend is not reachable right now; nothing was recorded, please try "
    "again in a minute";

double ClientTimestamp(const json& body) {
  auto it = body.find("client_timestamp");
  if (it == body.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

// USED_AGENT_ID as text: Mephisto sends strings; numbers are accepted too.
std::optional<std::string> AgentId(const json& body) {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find("USED_AGENT_ID");
  if (it == body.end()) return std::nullopt;
  if (it->is_string()) {
    auto id = it->get<std::string>();
    if (id.empty() || id.size() > kMaxIdLength) return std::nullopt;
    return id;
  }
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return std::nullopt;
}

std::string PathOf(const HttpRequest& request) {
  std::string target(request.target());
  return target.substr(0, target.find('?'));
}

std::string QueryParam(const HttpRequest& request, const std::string& name) {
  std::string target(request.target());
  auto question = target.find('?');
  if (question == std::string::npos) return {};
  std::stringstream query(target.substr(question + 1));
  for (std::string pair; std::getline(query, pair, '&');) {
    auto equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      return equals == std::string::npos ? std::string() : pair.substr(equals + 1);
    }
  }
  return {};
}

// Endpoints that take a POST; any other method there is refused with 405.
bool IsPostEndpoint(const std::string& path) {
  return path == "/request_agent" || path == "/submit_onboarding" || path == "/submit_task" ||
         path == "/log_error" || path == "/submit_metadata";
}

HttpRequest MetaOf(const HttpRequest& request) {
  HttpRequest meta;
  meta.version(request.version());
  meta.keep_alive(request.keep_alive());
  return meta;
}

http::status StatusFor(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_CODE_BAD_REQUEST:
      return http::status::bad_request;
    case v1::ERROR_CODE_UNKNOWN_AGENT:
    case v1::ERROR_CODE_UNKNOWN_RUN:
      return http::status::not_found;
    case v1::ERROR_CODE_CONFLICT:
      return http::status::conflict;
    default:
      return http::status::service_unavailable;
  }
}

}  // namespace

WorkerApi::WorkerApi(boost::asio::io_context& io, const RouterConfig& config, AgentGate& gate,
                     OperatorLink& link, LiveHub& hub, RouterProbe& probe, const Clock& clock)
    : io_(io),
      config_(config),
      gate_(gate),
      link_(link),
      hub_(hub),
      probe_(probe),
      clock_(clock),
      uploads_(config.upload_dir),
      random_(std::random_device{}()) {}

std::string WorkerApi::NewRequestId() {
  // A random (version 4) UUID, as Mephisto's router uses for request ids.
  std::uint64_t high = random_();
  std::uint64_t low = random_();
  high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xffff),
                static_cast<unsigned>(high & 0xffff), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

void WorkerApi::Answer(const std::shared_ptr<HttpResponder>& responder, HttpResponse response,
                       const std::string& endpoint, Clock_::time_point started) {
  probe_.HttpRequest(endpoint, static_cast<int>(response.result_int()),
                     std::chrono::duration<double>(Clock_::now() - started).count());
  probe_.HttpBytes("out", response.body().size());
  responder->Send(std::move(response));
}

void WorkerApi::Refuse(const HttpRequest& request, const std::shared_ptr<HttpResponder>& responder,
                       http::status status, const std::string& reason, const std::string& message,
                       const std::string& endpoint, Clock_::time_point started) {
  probe_.Rejected(reason);
  Answer(responder, JsonError(request, status, message), endpoint, started);
}

void WorkerApi::RefuseNoRun(const HttpRequest& request,
                            const std::shared_ptr<HttpResponder>& responder,
                            const std::string& endpoint, Clock_::time_point started) {
  if (operator_incarnation_.empty()) {
    // Started a moment ago: the runs come with the operator's first heartbeat. A load balancer
    // may send requests before its health checks see that; "no run" would be a lie.
    Refuse(request, responder, http::status::service_unavailable, "operator_unreachable",
           "this task server is starting and has not heard from its backend yet; please try "
           "again in a moment",
           endpoint, started);
    return;
  }
  Refuse(request, responder, http::status::not_found, "no_live_run",
         "no task run is live on this server right now", endpoint, started);
}

bool WorkerApi::AdmitAgent(const std::string& agent_id, const HttpRequest& request,
                           const std::shared_ptr<HttpResponder>& responder,
                           const std::string& endpoint, Clock_::time_point started) {
  switch (gate_.Check(agent_id)) {
    case AgentGate::Verdict::kIssued:
      return true;
    case AgentGate::Verdict::kNoKeyYet:
      Refuse(request, responder, http::status::service_unavailable, "operator_unreachable",
             kBackendUnreachable, endpoint, started);
      return false;
    case AgentGate::Verdict::kForged:
      spdlog::warn("{} refused: agent id '{}' was not issued by this cluster", endpoint,
                   agent_id.substr(0, 64));
      Refuse(request, responder, http::status::forbidden, "forged_agent_id",
             "USED_AGENT_ID is not an agent id this server issued; reload the task page to "
             "register again",
             endpoint, started);
      return false;
  }
  return false;
}

bool WorkerApi::RefuseUnsafePath(PathVerdict verdict, const HttpRequest& request,
                                 const std::shared_ptr<HttpResponder>& responder,
                                 const std::string& endpoint, Clock_::time_point started) {
  switch (verdict) {
    case PathVerdict::kMalformed:
      Refuse(request, responder, http::status::bad_request, "malformed_path",
             "the path has a malformed percent escape or an encoded NUL", endpoint, started);
      return true;
    case PathVerdict::kTraversal:
      // 404 as for any file that is not served; the reason still tells attacks apart.
      Refuse(request, responder, http::status::not_found, "path_traversal",
             "the path leaves the directory it is served from", endpoint, started);
      return true;
    case PathVerdict::kSafe:
      break;
  }
  return false;
}

void WorkerApi::Handle(HttpRequest&& request, std::shared_ptr<HttpResponder> responder) {
  auto started = Clock_::now();
  probe_.HttpBytes("in", request.body().size());
  auto path = PathOf(request);
  auto method = request.method();
  bool is_get = method == http::verb::get || method == http::verb::head;
  bool is_post = method == http::verb::post;

  if (path == "/is_alive" && is_get) {
    Answer(responder, JsonResponse(request, http::status::ok, R"({"status":"Alive!"})"), "is_alive",
           started);
  } else if (path == "/get_timestamp" && is_get) {
    Answer(responder,
           JsonResponse(request, http::status::ok, json{{"timestamp", clock_.NowMillis()}}.dump()),
           "get_timestamp", started);
  } else if (path == "/task_config.json" && is_get) {
    ServeTaskConfig(request, responder, started);
  } else if (path == "/request_agent" && is_post) {
    RequestAgent(std::move(request), responder, started);
  } else if (path == "/submit_onboarding" && is_post) {
    SubmitOnboarding(std::move(request), responder, started);
  } else if (path == "/submit_task" && is_post) {
    SubmitTask(std::move(request), responder, started);
  } else if (path == "/log_error" && is_post) {
    LogError(std::move(request), responder, started);
  } else if (path == "/submit_metadata" && is_post) {
    SubmitMetadata(std::move(request), responder, started);
  } else if (path.rfind("/download_file/", 0) == 0 && is_get) {
    DownloadFile(request, path.substr(std::string("/download_file/").size()), responder, started);
  } else if (is_post && !IsPostEndpoint(path)) {
    Refuse(request, responder, http::status::not_found, "unknown_endpoint",
           "POST " + path.substr(0, 128) + ": no such endpoint", "other", started);
  } else if (is_get && !IsPostEndpoint(path)) {
    ServeStatic(request, path == "/task_index" || path == "/welcome" ? "/index.html" : path,
                responder, started);
  } else {
    Refuse(request, responder, http::status::method_not_allowed, "method",
           std::string(request.method_string()).substr(0, 16) + " " + path.substr(0, 128) +
               " is not supported",
           "other", started);
  }
}

const v1::TaskRunInfo* WorkerApi::RunFor(const HttpRequest& request) const {
  return runs_.Resolve(std::string(request.target()), std::string(request[http::field::referer]),
                       std::string(request[http::field::cookie]));
}

void WorkerApi::ServeStatic(const HttpRequest& request, const std::string& path,
                            const std::shared_ptr<HttpResponder>& responder,
                            Clock_::time_point started) {
  if (RefuseUnsafePath(CheckUrlPath(path), request, responder, "static", started)) return;
  const auto* run = RunFor(request);
  if (!run) {
    RefuseNoRun(request, responder, "static", started);
    return;
  }
  auto file = ResolveStaticPath(run->static_dir(), path);
  if (!file) {
    Refuse(request, responder, http::status::not_found, "not_found", "no such file: " + path,
           "static", started);
    return;
  }
  std::ifstream in(*file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  auto content_type = ContentTypeFor(*file);
  auto response = TextResponse(request, http::status::ok, content.str(), content_type);
  if (content_type.rfind("text/html", 0) == 0) {
    // Pin the browser to this run for its later absolute-path requests.
    response.set(http::field::set_cookie, std::string(RunTable::kCookieName) + "=" +
                                              run->task_run_id() + "; Path=/; SameSite=Lax");
    response.set(http::field::cache_control, "no-cache");
  }
  if (request.method() == http::verb::head) response.body().clear();
  Answer(responder, std::move(response), "static", started);
}

void WorkerApi::ServeTaskConfig(const HttpRequest& request,
                                const std::shared_ptr<HttpResponder>& responder,
                                Clock_::time_point started) {
  const auto* run = RunFor(request);
  if (!run) {
    RefuseNoRun(request, responder, "task_config", started);
    return;
  }
  auto version = QueryParam(request, "mephisto_task_version");
  if (!version.empty() && version != kMephistoTaskVersion && version.size() < 64) {
    // Mephisto warns the requester but serves the page anyway.
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type("log_error");
    envelope.set_task_run_id(run->task_run_id());
    json error{
        {"error_type", "version-mismatch"},
        {"text", std::string("Package `mephisto-task` version mismatch. Expected version ") +
                     kMephistoTaskVersion + " but frontend is currently using " + version + "."}};
    envelope.set_payload(
        json{{"error_data", error}}.dump(-1, ' ', false, json::error_handler_t::replace));
    envelope.mutable_timestamps()->set_router_incoming(clock_.NowSeconds());
    probe_.PacketToOperator("log_error");
    link_.Send(std::move(envelope));
  }
  Answer(responder, JsonResponse(request, http::status::ok, run->task_config_json()), "task_config",
         started);
}

void WorkerApi::RequestAgent(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                             Clock_::time_point started) {
  const std::string endpoint = "request_agent";
  auto body = ParseJsonBody(request, responder, endpoint, started);
  if (!body) return;
  auto provider = body->find("provider_data");
  if (provider == body->end() || !provider->is_object()) {
    Refuse(request, responder, http::status::bad_request, "missing_field",
           "provider_data (an object) is required", endpoint, started);
    return;
  }
  auto worker = provider->find("worker_name");
  if (worker == provider->end() || !worker->is_string() || worker->get<std::string>().empty() ||
      worker->get<std::string>().size() > kMaxIdLength) {
    Refuse(request, responder, http::status::bad_request, "missing_field",
           "provider_data.worker_name must be a non-empty string of at most 128 characters",
           endpoint, started);
    return;
  }
  const auto* run = RunFor(request);
  if (!run) {
    RefuseNoRun(request, responder, endpoint, started);
    return;
  }
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("register_agent");
  envelope.set_request_id(NewRequestId());
  envelope.set_task_run_id(run->task_run_id());
  envelope.mutable_timestamps()->set_client(ClientTimestamp(*body));
  envelope.set_payload(std::move(request.body()));  // forwarded as the browser sent it
  Hold(std::move(envelope), request, responder, endpoint, started);
}

void WorkerApi::SubmitTask(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                           Clock_::time_point started) {
  const std::string endpoint = "submit_task";
  std::string agent_id;
  auto body = ParseAgentBody(request, responder, {"final_string_data", "final_data"}, endpoint,
                             started, agent_id);
  if (!body) return;
  if (!body->contains("final_data")) {
    Refuse(request, responder, http::status::bad_request, "missing_field", "final_data is required",
           endpoint, started);
    return;
  }
  const auto* run = RunFor(request);
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("submit_unit");
  envelope.set_request_id(NewRequestId());
  envelope.set_agent_id(agent_id);
  if (run) envelope.set_task_run_id(run->task_run_id());
  envelope.mutable_timestamps()->set_client(ClientTimestamp(*body));
  envelope.set_payload(std::move(request.body()));
  // Acknowledged only once the operator has committed it: nothing accepted is lost.
  Hold(std::move(envelope), request, responder, endpoint, started);
}

void WorkerApi::LogError(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder,
                         Clock_::time_point started) {
  const std::string endpoint = "log_error";
  auto body = ParseJsonBody(request, responder, endpoint, started);
  if (!body) return;
  auto agent_id = AgentId(*body);
  if (agent_id && !AdmitAgent(*agent_id, request, responder, endpoint, started)) return;
  const auto* run = RunFor(request);
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("log_error");
  envelope.set_agent_id(agent_id.value_or(""));
  if (run) envelope.set_task_run_id(run->task_run_id());
  envelope.mutable_timestamps()->set_client(ClientTimestamp(*body));
  envelope.mutable_timestamps()->set_router_incoming(clock_.NowSeconds());
  envelope.set_payload(std::move(request.body()));
  if (link_.OperatorReachable()) {
    probe_.PacketToOperator("log_error");
    link_.Send(std::move(envelope));
  } else {
    probe_.Rejected("operator_unreachable");
    spdlog::warn("operator unreachable; browser error log kept only here: {}",
                 envelope.payload().substr(0, 512));
  }
  Answer(responder, JsonResponse(request, http::status::ok, R"({"status":"Error log sent!"})"),
         endpoint, started);
}

std::optional<json> WorkerApi::FormToJson(const std::vector<FormPart>& parts,
                                          const std::string& task_run_id,
                                          const std::string& json_field,
                                          const std::string& data_key, std::string& error) {
  json body = json::object();
  json data = json::object();
  json files = json::array();
  json by_field = json::object();
  for (const auto& part : parts) {
    if (part.is_file()) {
      auto saved = uploads_.Save(task_run_id, part, clock_.NowMillis());
      if (!saved) {
        error = saved.error().message;
        return std::nullopt;
      }
      files.push_back(*saved);
      auto without_field = *saved;
      without_field.erase("fieldname");
      by_field[part.name].push_back(std::move(without_field));
    } else if (part.name == json_field) {
      data = json::parse(part.body, nullptr, false);
      if (data.is_discarded() || !data.is_object()) {
        error = json_field + " must be a JSON object (valid UTF-8)";
        return std::nullopt;
      }
    } else if (part.name == "USED_AGENT_ID" || part.name == "client_timestamp") {
      body[part.name] = part.body;
    }
  }
  if (body.contains("client_timestamp")) {
    try {
      body["client_timestamp"] = std::stod(body["client_timestamp"].get<std::string>());
    } catch (const std::exception&) {
      body.erase("client_timestamp");
    }
  }
  data["files"] = std::move(files);
  data["filesByFields"] = std::move(by_field);
  body[data_key] = std::move(data);
  return body;
}

std::optional<json> WorkerApi::ParseJsonBody(const HttpRequest& request,
                                             const std::shared_ptr<HttpResponder>& responder,
                                             const std::string& endpoint,
                                             Clock_::time_point started) {
  if (!IsValidUtf8(request.body())) {
    Refuse(request, responder, http::status::bad_request, "invalid_utf8",
           "the body is not valid UTF-8", endpoint, started);
    return std::nullopt;
  }
  auto parsed = json::parse(request.body(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    Refuse(request, responder, http::status::bad_request, "malformed_json",
           "the body must be a JSON object", endpoint, started);
    return std::nullopt;
  }
  return parsed;
}

std::optional<json> WorkerApi::ParseAgentBody(HttpRequest& request,
                                              const std::shared_ptr<HttpResponder>& responder,
                                              const AgentBodyShape& shape,
                                              const std::string& endpoint,
                                              Clock_::time_point started, std::string& agent_id) {
  auto refuse_missing_id = [&] {
    Refuse(request, responder, http::status::bad_request, "missing_field",
           shape.under_provider_data
               ? "provider_data.USED_AGENT_ID (the agent id from /request_agent) is required"
               : "USED_AGENT_ID (the agent id from /request_agent) is required",
           endpoint, started);
  };
  std::optional<json> body;
  bool admitted = false;
  if (auto boundary = MultipartBoundary(std::string(request[http::field::content_type]))) {
    auto parts = ParseMultipartForm(request.body(), *boundary);
    if (!parts) {
      Refuse(request, responder, http::status::bad_request, "multipart",
             "malformed multipart body: " + parts.error().message, endpoint, started);
      return std::nullopt;
    }
    // Nothing is written for a form of an agent the operator did not issue, or of no run.
    auto id_part = std::find_if(parts->begin(), parts->end(), [](const FormPart& part) {
      return !part.is_file() && part.name == "USED_AGENT_ID";
    });
    if (id_part == parts->end() || id_part->body.empty() || id_part->body.size() > kMaxIdLength) {
      refuse_missing_id();
      return std::nullopt;
    }
    if (!AdmitAgent(id_part->body, request, responder, endpoint, started)) return std::nullopt;
    admitted = true;
    const auto* run = RunFor(request);
    if (!run) {
      RefuseNoRun(request, responder, endpoint, started);
      return std::nullopt;
    }
    std::string error;
    body = FormToJson(*parts, run->task_run_id(), shape.json_field, shape.data_key, error);
    if (!body) {
      Refuse(request, responder, http::status::bad_request, "multipart", error, endpoint, started);
      return std::nullopt;
    }
    if (shape.under_provider_data) {
      json provider = json::object();
      if (body->contains("USED_AGENT_ID")) provider["USED_AGENT_ID"] = (*body)["USED_AGENT_ID"];
      provider[shape.data_key] = std::move((*body)[shape.data_key]);
      json wrapped{{"provider_data", std::move(provider)}};
      if (body->contains("client_timestamp")) {
        wrapped["client_timestamp"] = (*body)["client_timestamp"];
      }
      body = std::move(wrapped);
    }
    // Field values and file names come from the browser: never let invalid UTF-8 throw.
    request.body() = body->dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    body = ParseJsonBody(request, responder, endpoint, started);
    if (!body) return std::nullopt;
  }
  const json* holder = &*body;
  if (shape.under_provider_data) {
    auto provider = body->find("provider_data");
    holder = provider == body->end() ? nullptr : &*provider;
  }
  auto id = holder ? AgentId(*holder) : std::nullopt;
  if (!id) {
    refuse_missing_id();
    return std::nullopt;
  }
  if (!admitted && !AdmitAgent(*id, request, responder, endpoint, started)) return std::nullopt;
  agent_id = *id;
  return body;
}

void WorkerApi::SubmitOnboarding(HttpRequest&& request,
                                 const std::shared_ptr<HttpResponder>& responder,
                                 Clock_::time_point started) {
  const std::string endpoint = "submit_onboarding";
  std::string agent_id;
  auto body = ParseAgentBody(request, responder, {"onboarding_data", "onboarding_data", true},
                             endpoint, started, agent_id);
  if (!body) return;
  // Mephisto's router sends provider_data on without USED_AGENT_ID (the agent is the
  // envelope's), with onboarding_data defaulting to {} and the request id added.
  json data = std::move((*body)["provider_data"]);
  data.erase("USED_AGENT_ID");
  if (!data.contains("onboarding_data")) data["onboarding_data"] = json::object();
  const auto* run = RunFor(request);
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("submit_onboarding");
  envelope.set_request_id(NewRequestId());
  envelope.set_agent_id(agent_id);
  if (run) envelope.set_task_run_id(run->task_run_id());
  envelope.mutable_timestamps()->set_client(ClientTimestamp(*body));
  data["request_id"] = envelope.request_id();
  envelope.set_payload(data.dump(-1, ' ', false, json::error_handler_t::replace));
  // Answered with the operator's agent_details: the real agent, or why there is none.
  Hold(std::move(envelope), request, responder, endpoint, started);
}

void WorkerApi::SubmitMetadata(HttpRequest&& request,
                               const std::shared_ptr<HttpResponder>& responder,
                               Clock_::time_point started) {
  const std::string endpoint = "submit_metadata";
  std::string agent_id;
  auto body =
      ParseAgentBody(request, responder, {"metadata", "metadata"}, endpoint, started, agent_id);
  if (!body) return;
  if (auto metadata = body->find("metadata"); metadata == body->end() || !metadata->is_object()) {
    Refuse(request, responder, http::status::bad_request, "missing_field",
           "metadata (an object) is required", endpoint, started);
    return;
  }
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_packet_type("submit_metadata");
  envelope.set_request_id(NewRequestId());
  envelope.set_agent_id(agent_id);
  envelope.mutable_timestamps()->set_client(ClientTimestamp(*body));
  envelope.set_payload(std::move(request.body()));
  Hold(std::move(envelope), request, responder, endpoint, started);
}

void WorkerApi::DownloadFile(const HttpRequest& request, const std::string& name,
                             const std::shared_ptr<HttpResponder>& responder,
                             Clock_::time_point started) {
  if (RefuseUnsafePath(CheckFileName(name), request, responder, "download_file", started)) {
    return;
  }
  // Only the run of the page asking: another run's files are not there for it.
  const auto* run = RunFor(request);
  auto decoded = PercentDecode(name);
  auto path = decoded && run ? uploads_.PathFor(run->task_run_id(), *decoded) : std::nullopt;
  if (!path) {
    Refuse(request, responder, http::status::not_found, "not_found", "no such upload",
           "download_file", started);
    return;
  }
  std::ifstream in(*path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  Answer(responder, TextResponse(request, http::status::ok, content.str(), ContentTypeFor(*path)),
         "download_file", started);
}

void WorkerApi::Hold(v1::Envelope envelope, const HttpRequest& request,
                     const std::shared_ptr<HttpResponder>& responder, const std::string& endpoint,
                     Clock_::time_point started) {
  if (!link_.OperatorReachable()) {
    Refuse(request, responder, http::status::service_unavailable, "operator_unreachable",
           kBackendUnreachable, endpoint, started);
    return;
  }
  auto request_id = envelope.request_id();
  envelope.mutable_timestamps()->set_router_incoming(clock_.NowSeconds());
  envelope.set_deadline_ms(clock_.NowMillis() + config_.request_timeout.count());

  Held held;
  held.responder = responder;
  held.meta = MetaOf(request);
  held.endpoint = endpoint;
  held.packet_type = envelope.packet_type();
  held.agent_id = envelope.agent_id();
  held.started = started;
  held.timer = std::make_unique<boost::asio::steady_timer>(io_, config_.request_timeout);
  held.timer->async_wait([this, request_id](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: answered in time
    auto it = held_.find(request_id);
    if (it == held_.end()) return;
    probe_.Rejected("timeout");
    auto seconds = std::to_string(config_.request_timeout.count() / 1000);
    Finish(request_id, JsonError(it->second.meta, http::status::gateway_timeout,
                                 "the task server's backend did not answer within " + seconds +
                                     " s; please try again"));
  });
  held_.emplace(request_id, std::move(held));
  probe_.SetHeldRequests(static_cast<double>(held_.size()));
  probe_.PacketToOperator(envelope.packet_type());
  link_.Send(std::move(envelope));
}

void WorkerApi::Finish(const std::string& request_id, HttpResponse response) {
  auto it = held_.find(request_id);
  if (it == held_.end()) return;
  auto held = std::move(it->second);
  held_.erase(it);
  held.timer->cancel();
  probe_.SetHeldRequests(static_cast<double>(held_.size()));
  Answer(held.responder, std::move(response), held.endpoint, held.started);
}

void WorkerApi::OnSendFailed(const v1::Envelope& envelope) {
  probe_.Rejected("operator_unreachable");
  auto it = held_.find(envelope.request_id());
  if (it == held_.end()) return;
  Finish(envelope.request_id(),
         JsonError(it->second.meta, http::status::service_unavailable, kBackendUnreachable));
}

void WorkerApi::OnOperatorEnvelope(v1::Envelope envelope) {
  if (envelope.kind() == v1::ENVELOPE_KIND_OPERATOR_BEAT) {
    v1::OperatorBeat beat;
    if (!beat.ParseFromString(envelope.payload())) return;
    gate_.SetKey(beat.agent_credential_key());
    if (beat.incarnation() != operator_incarnation_) {
      // A new operator process knows nothing of which router holds which socket: until an
      // agent says alive again it could not push to it, and a page only says alive on a new
      // socket. So the router says it for every socket it holds.
      if (!operator_incarnation_.empty()) hub_.ReannounceAgents();
      operator_incarnation_ = beat.incarnation();
    }
    std::vector<v1::TaskRunInfo> runs(beat.runs().begin(), beat.runs().end());
    probe_.SetLiveRuns(static_cast<double>(runs.size()));
    runs_.Replace(std::move(runs));
    return;
  }
  if (envelope.kind() == v1::ENVELOPE_KIND_PACKET && envelope.request_id().empty() &&
      (envelope.packet_type() == "client_bound_live_update" ||
       envelope.packet_type() == "update_status")) {
    hub_.OnOperatorPacket(envelope);
    return;
  }
  auto it = held_.find(envelope.request_id());
  if (it == held_.end()) return;  // already timed out, or not ours
  const auto& meta = it->second.meta;
  if (envelope.kind() == v1::ENVELOPE_KIND_ERROR_REPLY) {
    v1::ErrorReply error;
    error.ParseFromString(envelope.payload());
    probe_.Rejected("operator_error");
    Finish(envelope.request_id(), JsonError(meta, StatusFor(error.code()), error.message()));
    return;
  }
  probe_.PacketFromOperator(envelope.packet_type());
  probe_.RoundTrip(it->second.packet_type, envelope.timestamps(), clock_.NowSeconds());
  if (envelope.packet_type() == "agent_details") {
    // An onboarding agent's work ends with its submission, as in Mephisto's router.
    if (it->second.packet_type == "submit_onboarding") hub_.Forget(it->second.agent_id);
    const auto& t = envelope.timestamps();
    // The operator's `data` object is spliced in as it arrived, never re-encoded.
    std::string body = R"({"packet_type":"agent_details","subject_id":)" +
                       json(envelope.request_id()).dump() + R"(,"data":)" + envelope.payload() +
                       R"(,"client_timestamp":)" + json(t.client()).dump() +
                       R"(,"router_incoming_timestamp":)" + json(t.router_incoming()).dump() +
                       R"(,"router_outgoing_timestamp":)" + json(clock_.NowSeconds()).dump() +
                       R"(,"server_timestamp":)" + json(t.server_outgoing()).dump() + "}";
    Finish(envelope.request_id(), JsonResponse(meta, http::status::ok, std::move(body)));
  } else if (envelope.packet_type() == "metadata_ack") {
    Finish(envelope.request_id(),
           JsonResponse(meta, http::status::ok, R"({"status":"Submitted metadata"})"));
  } else if (envelope.packet_type() == "submit_ack") {
    hub_.Forget(it->second.agent_id);  // its work is done, as Mephisto's router does
    Finish(envelope.request_id(),
           JsonResponse(meta, http::status::ok, R"({"status":"Submitted!"})"));
  } else {
    Finish(envelope.request_id(), JsonError(meta, http::status::bad_gateway,
                                            "unexpected answer from the task server's backend"));
  }
}

}  // namespace throng::router

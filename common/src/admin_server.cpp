#include "throng/common/admin_server.hpp"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace throng {

AdminServer::AdminServer(HttpServerOptions options,
                         std::shared_ptr<const prometheus::Collectable> metrics)
    : metrics_(std::move(metrics)) {
  server_ = std::make_unique<HttpServer>(
      io_, std::move(options),
      [this](HttpRequest&& request, std::shared_ptr<HttpResponder> responder) {
        Handle(std::move(request), responder);
      });
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::AddRoute(const std::string& path, Route route) {
  routes_[path] = std::move(route);
}

void AdminServer::SetReadiness(Readiness readiness) { readiness_ = std::move(readiness); }

Result<void> AdminServer::Start() {
  auto started = server_->Start();
  if (!started) return started;
  thread_ = std::thread([this] { io_.run(); });
  return {};
}

void AdminServer::Stop() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  server_->Stop();
}

std::uint16_t AdminServer::Port() const { return server_->Port(); }

void AdminServer::Handle(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder) {
  std::string target(request.target());
  std::string path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    responder->Send(JsonError(request, http::status::method_not_allowed, "only GET is supported"));
    return;
  }
  if (path == "/metrics" && metrics_) {
    responder->Send(TextResponse(request, http::status::ok, SerializeRegistry(*metrics_),
                                 "text/plain; version=0.0.4; charset=utf-8"));
    return;
  }
  if (path == "/healthz") {
    responder->Send(JsonResponse(request, http::status::ok, R"({"status":"ok"})"));
    return;
  }
  if (path == "/readyz") {
    std::string reason;
    bool ready = readiness_ ? readiness_(reason) : true;
    nlohmann::json body{{"status", ready ? "ready" : "not ready"}};
    if (!reason.empty()) body["reason"] = reason;
    responder->Send(JsonResponse(
        request, ready ? http::status::ok : http::status::service_unavailable, body.dump()));
    return;
  }
  auto route = routes_.find(path);
  if (route == routes_.end()) {
    responder->Send(JsonError(request, http::status::not_found, "no such path: " + path));
    return;
  }
  responder->Send(route->second(request));
}

std::string SerializeRegistry(const prometheus::Collectable& registry) {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry.Collect());
}

}  // namespace throng

#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "throng/common/http_server.hpp"

namespace throng {

// The admin port every service has: /metrics (its own metrics), /healthz (process is up),
// /readyz (dependencies reachable), and extra GET routes. Runs its own io thread so that a
// busy service still answers probes.
class AdminServer {
 public:
  using Route = std::function<HttpResponse(const HttpRequest&)>;
  using Readiness = std::function<bool(std::string& reason)>;

  AdminServer(HttpServerOptions options, std::shared_ptr<const prometheus::Collectable> metrics);
  ~AdminServer();

  // Routes and readiness must be set before Start().
  void AddRoute(const std::string& path, Route route);
  void SetReadiness(Readiness readiness);

  Result<void> Start();
  void Stop();
  std::uint16_t Port() const;

 private:
  void Handle(HttpRequest&& request, const std::shared_ptr<HttpResponder>& responder);

  boost::asio::io_context io_;
  std::shared_ptr<const prometheus::Collectable> metrics_;
  std::map<std::string, Route> routes_;
  Readiness readiness_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// Prometheus text exposition of a registry (or any collectable).
std::string SerializeRegistry(const prometheus::Collectable& registry);

}  // namespace throng

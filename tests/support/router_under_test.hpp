#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "eventually.hpp"
#include "router_app.hpp"
#include "router_clients.hpp"

namespace throng::testing {

// A router with loopback, free ports and an unreachable Redis (metric snapshots must not
// matter), attached to `operator_endpoint`.
inline router::RouterConfig TestRouterConfig(const std::string& operator_endpoint) {
  router::RouterConfig config;
  config.listen_address = "127.0.0.1";
  config.port = 0;
  config.admin_port = 0;
  config.operator_endpoint = operator_endpoint;
  config.redis_url = "redis://127.0.0.1:1";
  config.instance_id = "router-under-test";
  return config;
}

// A RouterApp running on its own thread, stopped at once when the test ends.
class RouterUnderTest {
 public:
  explicit RouterUnderTest(router::RouterConfig config) : app_(std::move(config), DefaultClock()) {
    auto started = app_.Start();
    if (!started) throw std::runtime_error("router did not start: " + started.error().message);
    thread_ = std::thread([this] { app_.Run(); });
  }
  ~RouterUnderTest() {
    app_.RequestStop(2);
    thread_.join();
  }
  RouterUnderTest(const RouterUnderTest&) = delete;
  RouterUnderTest& operator=(const RouterUnderTest&) = delete;

  router::RouterApp& app() { return app_; }
  std::uint16_t port() const { return app_.Port(); }
  std::uint16_t admin_port() const { return app_.AdminPort(); }

  // True once the operator's heartbeat arrived and its live run is served.
  bool Serving() {
    namespace http = boost::beast::http;
    return HttpClient::Once(admin_port(), http::verb::get, "/readyz").status == 200 &&
           HttpClient::Once(port(), http::verb::get, "/task_config.json").status == 200;
  }
  bool OperatorReachable() {
    return HttpClient::Once(admin_port(), boost::beast::http::verb::get, "/readyz").status == 200;
  }

  // The value of one unlabelled series (e.g. "throng_router_websocket_connections") from the
  // admin port's /metrics; -1 if absent.
  double Metric(const std::string& name) {
    auto metrics = HttpClient::Once(admin_port(), boost::beast::http::verb::get, "/metrics");
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
  }

  // throng_router_rejected_requests_total by reason, from the admin port's /metrics.
  std::map<std::string, double> RejectedByReason() {
    return SeriesByLabel("throng_router_rejected_requests_total", "reason");
  }

  // The series of a metric with one label (e.g. throng_router_zmq_events_total by "event"),
  // value by label value, from the admin port's /metrics.
  std::map<std::string, double> SeriesByLabel(const std::string& name, const std::string& label) {
    auto metrics = HttpClient::Once(admin_port(), boost::beast::http::verb::get, "/metrics");
    std::map<std::string, double> values;
    std::istringstream lines(metrics.body);
    const std::string prefix = name + "{" + label + "=\"";
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(prefix, 0) != 0) continue;
      auto quote = line.find('"', prefix.size());
      auto space = line.rfind(' ');
      if (quote == std::string::npos || space == std::string::npos) continue;
      values[line.substr(prefix.size(), quote - prefix.size())] = std::stod(line.substr(space + 1));
    }
    return values;
  }

 private:
  router::RouterApp app_;
  std::thread thread_;
};

// The reasons whose count changed between two RejectedByReason() readings, with the change.
inline std::map<std::string, double> CountChanges(const std::map<std::string, double>& before,
                                                  const std::map<std::string, double>& after) {
  std::map<std::string, double> changes;
  for (const auto& [reason, count] : after) {
    auto it = before.find(reason);
    double previous = it == before.end() ? 0 : it->second;
    if (count != previous) changes[reason] = count - previous;
  }
  return changes;
}

}  // namespace throng::testing

#include "metrics_view.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.hpp"
#include "http_probe.hpp"
#include "metrics_server_commands.hpp"
#include "metrics_setup.hpp"
#include "stop_request.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/stop_signal.hpp"

namespace throng::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Prometheus replays its write-ahead log before it is ready, which takes a while on big data.
constexpr auto kReadyTimeout = 120s;
constexpr auto kProbeTimeout = 500ms;
constexpr auto kPollInterval = 200ms;
constexpr auto kStopGrace = 10s;
constexpr const char kGrafanaLogin[] = "admin / admin";

bool Answers(int port, const std::string& ready_path) {
  return LocalHttpStatus(port, ready_path, kProbeTimeout) == 200;
}

// A server view started; stopped in reverse order of starting.
struct StartedServer {
  std::string name;
  ChildProcess process;
  fs::path log;
};

// What the report says about one server.
struct ServerReport {
  std::string url;  // empty when it does not run
  bool started_here = false;
  pid_t pid = -1;
  std::string note;
};

std::string LastLines(const fs::path& log, int count) {
  std::ifstream file(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  std::string tail;
  for (auto i = lines.size() > static_cast<size_t>(count) ? lines.size() - count : 0;
       i < lines.size(); ++i) {
    tail += "    " + lines[i] + "\n";
  }
  return tail;
}

enum class StartOutcome { kReady, kFailed, kStopRequested };

// Starts `command` and waits for its ready path. On failure says why on `err` and stops it
// again; ready or stop requested, it stays in `started`.
StartOutcome StartServer(const std::string& name, const ServerCommand& command, int port,
                         const fs::path& log, StopRequest& stop,
                         std::vector<StartedServer>& started, std::ostream& err) {
  err << "throng: starting " << name << " on 127.0.0.1:" << port << " (log " << log.string()
      << ")\n";
  std::error_code ec;
  fs::create_directories(log.parent_path(), ec);
  auto process = ChildProcess::Start(command.program, command.args, log);
  if (!process) {
    err << "throng: " << process.error().message << "\n";
    return StartOutcome::kFailed;
  }
  started.push_back({name, std::move(*process), log});
  auto& child = started.back().process;
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (!Answers(port, command.ready_path)) {
    if (!child.Running()) {
      err << "throng: " << name << " " << child.ExitDescription()
          << " before it was ready; the end of " << log.string() << ":\n"
          << LastLines(log, 10);
      started.pop_back();
      return StartOutcome::kFailed;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      err << "throng: " << name << " was not ready on 127.0.0.1:" << port << command.ready_path
          << " within " << std::chrono::seconds(kReadyTimeout).count() << " s; see " << log.string()
          << "\n";
      child.Stop(kStopGrace);
      started.pop_back();
      return StartOutcome::kFailed;
    }
    if (stop.WaitFor(kPollInterval)) return StartOutcome::kStopRequested;
  }
  return StartOutcome::kReady;
}

void StopAll(std::vector<StartedServer>& started, std::ostream& err) {
  for (auto server = started.rbegin(); server != started.rend(); ++server) {
    if (!server->process.Running()) continue;
    auto pid = server->process.Pid();
    auto ended = server->process.Stop(kStopGrace);
    err << "throng: stopped " << server->name << " (pid " << pid << ", " << ended << ")\n";
  }
  started.clear();
}

json ReportJson(const ServerReport& report) {
  return {{"url", report.url.empty() ? json() : json(report.url)},
          {"started", report.started_here},
          {"pid", report.pid > 0 ? json(report.pid) : json()},
          {"note", report.note}};
}

void PrintReport(const ServerReport& prometheus, const ServerReport& grafana, bool as_json,
                 std::ostream& out) {
  if (as_json) {
    auto grafana_json = ReportJson(grafana);
    grafana_json["login"] = kGrafanaLogin;
    out << json{{"prometheus", ReportJson(prometheus)}, {"grafana", grafana_json}}.dump() << "\n";
  } else {
    out << "Prometheus: " << prometheus.url << "  (" << prometheus.note << ")\n";
    if (grafana.url.empty()) {
      out << "Grafana:    " << grafana.note << "\n";
    } else {
      out << "Grafana:    " << grafana.url << "  (login " << kGrafanaLogin << "; " << grafana.note
          << ")\n";
    }
  }
  out.flush();
}

std::string StartedNote(pid_t pid, const fs::path& log) {
  return "started here, pid " + std::to_string(pid) + ", log " + log.string();
}

std::string GrafanaMissingNote(const MetricsSetup& setup) {
  return "not installed (no grafana-server or grafana on PATH; Debian 12 does not package it). "
         "Install it from Grafana's APT repository (https://apt.grafana.com) and run this again, "
         "or give any Grafana the provisioning in " +
         setup.GrafanaProvisioning().string() + " (the datasource is this Prometheus, the " +
         "dashboards are read from " + setup.GrafanaDashboards().string() + ")";
}

}  // namespace

int MetricsView(const fs::path& dir, bool as_json, std::ostream& out, std::ostream& err) {
  auto install = "throng metrics install --dir=" + dir.string();
  std::ifstream manifest_file(dir / "throng-metrics.json");
  if (!manifest_file || !fs::exists(dir / "prometheus" / "prometheus.yml")) {
    err << "throng: no monitoring setup in " << dir.string() << "; run `" << install << "` first\n";
    return kExitRuntime;
  }
  std::stringstream manifest;
  manifest << manifest_file.rdbuf();
  auto setup = ParseManifest(dir, manifest.str());
  if (!setup) {
    err << "throng: " << setup.error().message << "\n";
    return kExitRuntime;
  }

  StopRequest stop;
  StopSignal signals([&stop](int) { stop.Request(); });
  std::vector<StartedServer> started;
  auto give_up = [&](StartOutcome outcome) {
    StopAll(started, err);
    return outcome == StartOutcome::kStopRequested ? kExitOk : kExitRuntime;
  };

  ServerReport prometheus;
  prometheus.url = setup->PrometheusUrl() + "/graph";
  if (Answers(setup->prometheus_port, "/-/ready")) {
    prometheus.note = "already running, not started here; it keeps its own configuration";
  } else {
    auto program = FindExecutable("prometheus");
    if (!program) {
      err << "throng: prometheus is not on PATH; install the Debian package `prometheus` "
             "(sudo apt-get install prometheus, then sudo systemctl disable --now prometheus: "
             "Debian starts its own on port 9090)\n";
      return kExitRuntime;
    }
    auto outcome = StartServer("Prometheus", PrometheusCommand(*setup, *program),
                               setup->prometheus_port, setup->PrometheusLog(), stop, started, err);
    if (outcome != StartOutcome::kReady) return give_up(outcome);
    prometheus.started_here = true;
    prometheus.pid = started.back().process.Pid();
    prometheus.note = StartedNote(prometheus.pid, setup->PrometheusLog());
  }

  ServerReport grafana;
  if (Answers(setup->grafana_port, "/api/health")) {
    grafana.url = setup->GrafanaUrl() + "/dashboards";
    grafana.note = "already running, not started here";
  } else if (auto command = FindGrafana(*setup)) {
    auto outcome = StartServer("Grafana", *command, setup->grafana_port, setup->GrafanaLog(), stop,
                               started, err);
    if (outcome == StartOutcome::kStopRequested) return give_up(outcome);
    if (outcome == StartOutcome::kReady) {
      grafana.url = setup->GrafanaUrl() + "/dashboards";
      grafana.started_here = true;
      grafana.pid = started.back().process.Pid();
      grafana.note = StartedNote(grafana.pid, setup->GrafanaLog());
    } else {
      // Prometheus alone is still worth having.
      grafana.note = "did not start; see " + setup->GrafanaLog().string();
    }
  } else {
    grafana.note = GrafanaMissingNote(*setup);
  }

  PrintReport(prometheus, grafana, as_json, out);
  if (started.empty()) {
    err << "throng: nothing was started here, so nothing to stop\n";
    return kExitOk;
  }
  err << "throng: press Ctrl-C to stop what was started here\n";
  while (!stop.WaitFor(kPollInterval)) {
    for (auto& server : started) {
      if (server.process.Running()) continue;
      err << "throng: " << server.name << " " << server.process.ExitDescription()
          << " unexpectedly; the end of " << server.log.string() << ":\n"
          << LastLines(server.log, 10);
      StopAll(started, err);
      return kExitRuntime;
    }
  }
  StopAll(started, err);
  return kExitOk;
}

}  // namespace throng::cli

// throng-router: serves task pages to crowd workers and forwards their packets to the operator.
#include <docopt/docopt.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "router_app.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/logging.hpp"
#include "throng/common/stop_signal.hpp"

namespace {

constexpr const char kUsage[] = R"(throng-router: the worker-facing HTTP server (Mephisto-compatible).

Usage:
  throng-router [options]
  throng-router (-h | --help)
  throng-router --version

Options:
  -h --help                  Show this help.
  --version                  Show the version.
  --config=<file>            YAML file with any of the settings below (env THRONG_CONFIG).
  --listen-address=<addr>    Address for workers' HTTP (default 0.0.0.0).
  --port=<port>              Workers' HTTP port, 0 for any free port (default 3000).
  --operator-endpoint=<ep>   The operator's ZeroMQ endpoint (default tcp://127.0.0.1:5555).
  --request-timeout=<sec>    Longest wait for the operator on a held request (default 30).
  --operator-stale-after=<sec>  Seconds without an operator heartbeat before it
                             counts as unreachable (default 3).
  --body-limit=<bytes>       Largest accepted request body (default 4194304).
  --admin-address=<addr>     Address of the admin port (/metrics, /healthz, /readyz).
  --admin-port=<port>        Admin port, 0 for any free port (default 9310).
  --redis-url=<url>          Redis for metric snapshots (default redis://127.0.0.1:6379).
  --metrics-interval=<sec>   Seconds between metric snapshots (default 5).
  --instance-id=<id>         This process's id in metrics (default host:pid).
  --log-level=<level>        trace, debug, info, warn, error (default info).
  --log-format=<format>      text or json (default text).

Every option can also be set in the config file (key request_timeout) or the environment
(THRONG_REQUEST_TIMEOUT); the command line wins, then the environment, then the file.
)";

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, docopt::value> args;
  try {
    args = docopt::docopt_parse(kUsage, {argv + 1, argv + argc}, true, false);
  } catch (const docopt::DocoptExitHelp&) {
    std::cout << kUsage;
    return throng::kExitOk;
  } catch (const docopt::DocoptLanguageError& e) {
    std::cerr << "throng-router: internal usage error: " << e.what() << "\n";
    return throng::kExitRuntime;
  } catch (const docopt::DocoptArgumentError& e) {
    std::cerr << "throng-router: " << e.what() << "\nRun throng-router --help for usage.\n";
    return throng::kExitUsage;
  }
  if (args["--version"].asBool()) {
    std::cout << "throng-router " << THRONG_VERSION << "\n";
    return throng::kExitOk;
  }
  auto source = throng::ConfigSource::Load(args);
  if (!source) {
    std::cerr << "throng-router: " << source.error().message << "\n";
    return throng::kExitConfig;
  }
  auto config = throng::router::LoadRouterConfig(*source);
  if (!config) {
    std::cerr << "throng-router: " << config.error().message << "\n";
    return throng::kExitConfig;
  }
  throng::SetupLogging("router", config->log_level, config->log_format);

  throng::router::RouterApp* app_ptr = nullptr;
  throng::StopSignal signals([&app_ptr](int count) {
    spdlog::info(count == 1 ? "stop requested: draining held requests (signal again to stop now)"
                            : "second stop request: stopping now");
    if (app_ptr) app_ptr->RequestStop(count);
  });
  throng::router::RouterApp app(*config, throng::DefaultClock());
  app_ptr = &app;
  if (auto started = app.Start(); !started) {
    spdlog::critical("{}", started.error().message);
    std::cerr << "throng-router: " << started.error().message << "\n";
    return throng::kExitDependency;
  }
  return app.Run();
}

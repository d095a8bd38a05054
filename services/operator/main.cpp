// throng-operator: assigns work to crowd workers and stores their results in PostgreSQL.
#include <docopt/docopt.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "operator_app.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/logging.hpp"
#include "throng/common/stop_signal.hpp"

namespace {

constexpr const char kUsage[] = R"(throng-operator: the task backend (ZeroMQ ROUTER + PostgreSQL).

Usage:
  throng-operator [options]
  throng-operator (-h | --help)
  throng-operator --version

Options:
  -h --help                  Show this help.
  --version                  Show the version.
  --config=<file>            YAML file with any of the settings below (env THRONG_CONFIG).
  --pg-dsn=<dsn>             PostgreSQL connection string (env THRONG_PG_DSN; default
                             postgresql://throng@127.0.0.1:55432/throng, the local stack).
  --bind=<endpoint>          ZeroMQ endpoint routers connect to (default tcp://127.0.0.1:5555).
  --admin-address=<addr>     Address of the admin port (/metrics, /healthz, /readyz).
  --admin-port=<port>        Admin port, 0 for any free port (default 9311).
  --redis-url=<url>          Redis for metric snapshots (default redis://127.0.0.1:6379).
  --metrics-interval=<sec>   Seconds between metric snapshots (default 5).
  --instance-id=<id>         This process's id in metrics (default host:pid).
  --db-workers=<n>           Database worker threads (default 4).
  --log-level=<level>        trace, debug, info, warn, error (default info).
  --log-format=<format>      text or json (default text).

Every option can also be set in the config file (key pg_dsn) or the environment
(THRONG_PG_DSN); the command line wins, then the environment, then the file.
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
    std::cerr << "throng-operator: internal usage error: " << e.what() << "\n";
    return throng::kExitRuntime;
  } catch (const docopt::DocoptArgumentError& e) {
    std::cerr << "throng-operator: " << e.what() << "\nRun throng-operator --help for usage.\n";
    return throng::kExitUsage;
  }
  if (args["--version"].asBool()) {
    std::cout << "throng-operator " << THRONG_VERSION << "\n";
    return throng::kExitOk;
  }
  auto source = throng::ConfigSource::Load(args);
  if (!source) {
    std::cerr << "throng-operator: " << source.error().message << "\n";
    return throng::kExitConfig;
  }
  auto config = throng::operator_::LoadOperatorConfig(*source);
  if (!config) {
    std::cerr << "throng-operator: " << config.error().message << "\n";
    return throng::kExitConfig;
  }
  throng::SetupLogging("operator", config->log_level, config->log_format);

  throng::operator_::OperatorApp* app_ptr = nullptr;
  throng::StopSignal signals([&app_ptr](int count) {
    spdlog::info(count == 1 ? "stop requested: finishing in-flight work (signal again to stop now)"
                            : "second stop request: stopping now");
    if (app_ptr) app_ptr->RequestStop(count);
  });
  throng::operator_::OperatorApp app(*config, throng::DefaultClock());
  app_ptr = &app;
  if (auto started = app.Start(); !started) {
    spdlog::critical("{}", started.error().message);
    std::cerr << "throng-operator: " << started.error().message << "\n";
    return throng::kExitDependency;
  }
  return app.Run();
}

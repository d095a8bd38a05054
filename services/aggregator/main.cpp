// throng-aggregator: serves the cluster-wide metrics of every service, merged from the
// snapshots each instance saves in Redis, as /metrics/<service>.
#include <docopt/docopt.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>

#include "aggregator_app.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/logging.hpp"
#include "throng/common/stop_signal.hpp"

namespace {

constexpr const char kUsage[] =
    R"(throng-aggregator: cluster-wide metrics per service, merged from Redis.

Usage:
  throng-aggregator [options]
  throng-aggregator (-h | --help)
  throng-aggregator --version

Options:
  -h --help                  Show this help.
  --version                  Show the version.
  --config=<file>            YAML file with any of the settings below (env THRONG_CONFIG).
  --listen-address=<addr>    Address to serve on (default 127.0.0.1).
  --port=<port>              Port for /metrics/<service>, /metrics, /healthz, /readyz;
                             0 for any free port (default 9300).
  --redis-url=<url>          Redis holding the metric snapshots (default redis://127.0.0.1:6379).
  --metrics-prefix=<prefix>  Key prefix of the snapshots in Redis (default throng).
  --services=<list>          Comma-separated services to serve (default router,operator,aggregator).
  --refresh-interval=<sec>   Seconds between reads of Redis (default 1).
  --metrics-interval=<sec>   Seconds between snapshots of the aggregator's own metrics (default 5).
  --instance-id=<id>         This process's id in metrics (default host:pid).
  --log-level=<level>        trace, debug, info, warn, error (default info).
  --log-format=<format>      text or json (default text).

Every option can also be set in the config file (key redis_url) or the environment
(THRONG_REDIS_URL); the command line wins, then the environment, then the file.
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
    std::cerr << "throng-aggregator: internal usage error: " << e.what() << "\n";
    return throng::kExitRuntime;
  } catch (const docopt::DocoptArgumentError& e) {
    std::cerr << "throng-aggregator: " << e.what() << "\nRun throng-aggregator --help for usage.\n";
    return throng::kExitUsage;
  }
  if (args["--version"].asBool()) {
    std::cout << "throng-aggregator " << THRONG_VERSION << "\n";
    return throng::kExitOk;
  }
  auto source = throng::ConfigSource::Load(args);
  if (!source) {
    std::cerr << "throng-aggregator: " << source.error().message << "\n";
    return throng::kExitConfig;
  }
  auto config = throng::aggregator::LoadAggregatorConfig(*source);
  if (!config) {
    std::cerr << "throng-aggregator: " << config.error().message << "\n";
    return throng::kExitConfig;
  }
  throng::SetupLogging("aggregator", config->log_level, config->log_format);

  // Atomic: the signal thread may read it while main() is still setting up.
  std::atomic<throng::aggregator::AggregatorApp*> app_ptr{nullptr};
  throng::StopSignal signals([&app_ptr](int count) {
    if (count == 1) spdlog::info("stop requested");
    if (auto* app = app_ptr.load()) app->RequestStop(count);
  });
  throng::aggregator::AggregatorApp app(*config, throng::DefaultClock());
  app_ptr = &app;
  if (auto started = app.Start(); !started) {
    spdlog::critical("{}", started.error().message);
    std::cerr << "throng-aggregator: " << started.error().message << "\n";
    return throng::kExitDependency;
  }
  return app.Run();
}

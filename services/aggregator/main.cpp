// throng-aggregator: serves the cluster-wide metrics of every service, merged from the
// snapshots each instance saves in Redis, as /metrics/<service>.

#include "aggregator_app.hpp"
#include "aggregator_config.hpp"
#include "throng/common/service_main.hpp"

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
  --port=<port>              Port for /metrics/<service>, /metrics, /healthz, /readyz, /;
                             0 for any free port (default 9300).
  --redis-url=<url>          Redis holding the metric snapshots (default redis://127.0.0.1:6379).
  --metrics-prefix=<prefix>  Key prefix of the snapshots in Redis (default throng).
  --services=<list>          Comma-separated services to serve (default router,operator,aggregator).
  --refresh-interval=<sec>   Seconds between reads of Redis (default 1).
  --max-stale=<sec>          Seconds Redis may be unreadable before the last known instance
                             data is no longer served (default 300).
  --restart-hold=<sec>       Seconds an instance is still served after Redis lost its data,
                             unless it publishes again; 0: its own expiry (default 0).
  --metrics-interval=<sec>   Seconds between snapshots of the aggregator's own metrics (default 5).
  --instance-id=<id>         This process's id in metrics (default host:pid).
  --log-level=<level>        trace, debug, info, warn, error (default info).
  --log-format=<format>      text or json (default text).

Every option can also be set in the config file (key redis_url) or the environment
(THRONG_REDIS_URL); the command line wins, then the environment, then the file.
)";

}  // namespace

int main(int argc, char** argv) {
  return throng::ServiceMain<throng::aggregator::AggregatorApp>(
      kUsage, "throng-aggregator", "aggregator", &throng::aggregator::LoadAggregatorConfig, argc,
      argv);
}

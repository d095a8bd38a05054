// throng-router: serves task pages to crowd workers and forwards their packets to the operator.

#include "router_app.hpp"
#include "router_config.hpp"
#include "throng/common/service_main.hpp"

namespace {

constexpr const char kUsage[] =
    R"(throng-router: the worker-facing HTTP server (Mephisto-compatible).

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
  return throng::ServiceMain<throng::router::RouterApp>(
      kUsage, "throng-router", "router", &throng::router::LoadRouterConfig, argc, argv);
}

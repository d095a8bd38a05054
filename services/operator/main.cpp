// throng-operator: assigns work to crowd workers and stores their results in PostgreSQL.

#include "operator_app.hpp"
#include "operator_config.hpp"
#include "throng/common/service_main.hpp"

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
  --drain-timeout=<sec>      After SIGTERM/SIGINT: how long to wait for assigned units to be
                             submitted before exiting (default 1800). A second signal stops
                             at once.
  --log-level=<level>        trace, debug, info, warn, error (default info).
  --log-format=<format>      text or json (default text).

Every option can also be set in the config file (key pg_dsn) or the environment
(THRONG_PG_DSN); the command line wins, then the environment, then the file.
)";

}  // namespace

int main(int argc, char** argv) {
  return throng::ServiceMain<throng::operator_::OperatorApp>(
      kUsage, "throng-operator", "operator", &throng::operator_::LoadOperatorConfig, argc, argv);
}

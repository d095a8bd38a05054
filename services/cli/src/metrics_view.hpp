#pragma once

#include <filesystem>
#include <ostream>

namespace throng::cli {

// `throng metrics view`: serves the setup `install` wrote to `dir`. Starts Prometheus (unless
// one already answers on the setup's port) and Grafana when installed, waits until each is
// ready, prints their URLs, then stays until SIGINT/SIGTERM and stops what it started.
// Returns the exit code: 0 after a requested stop, 1 when a server cannot start or dies.
int MetricsView(const std::filesystem::path& dir, bool as_json, std::ostream& out,
                std::ostream& err);

}  // namespace throng::cli

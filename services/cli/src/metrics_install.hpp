#pragma once

#include <map>
#include <ostream>
#include <string>

#include "metrics_setup.hpp"

namespace throng::cli {

// `throng metrics install`: writes the setup's files (RenderMetricsFiles) below setup.dir,
// replacing what an earlier install wrote but never Prometheus's or Grafana's data, and prints
// what it wrote and the command to run next. Returns the exit code.
int MetricsInstall(const MetricsSetup& setup, const std::map<std::string, std::string>& shipped,
                   bool is_default_dir, bool as_json, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

#pragma once

#include <map>
#include <string>
#include <vector>

#include "metrics_setup.hpp"
#include "throng/common/error.hpp"

namespace throng::cli {

struct GeneratedFile {
  std::string path;  // relative to the setup's dir, e.g. prometheus/rules/router-recording.yml
  std::string content;
};

// The files of a local monitoring setup, rendered from the shipped ones (keyed by their path
// in the source tree, as EmbeddedMetricsFiles() gives them):
//   prometheus/prometheus.yml      the shipped scrape config, every job's targets = the setup's
//                                  aggregators; rule_files stays rules/*.yml, beside it
//   prometheus/rules/*.yml         every shipped rule file
//   grafana/provisioning/**.yml    the shipped provisioning: the datasource's URL is the local
//                                  Prometheus, the dashboard provider's path the copied dashboards
//   grafana/dashboards/*.json      every shipped dashboard
//   grafana/grafana.ini            ports, paths and login for `throng metrics view`
//   throng-metrics.json            the setup itself, read by `view`
// Fails when a shipped file no longer has the shape rewritten here.
Result<std::vector<GeneratedFile>> RenderMetricsFiles(
    const MetricsSetup& setup, const std::map<std::string, std::string>& shipped);

// The directories whose files install replaces as a whole (a rule file or dashboard dropped
// from the shipped set must not linger), relative to the setup's dir, with the file extension
// they hold. Nothing else, Prometheus's and Grafana's data least of all, is ever deleted.
struct GeneratedDirectory {
  std::string path;
  std::string extension;
};
std::vector<GeneratedDirectory> GeneratedDirectories();

}  // namespace throng::cli

#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::cli {

// The local stack's defaults (deploy/local/up.sh): two aggregator replicas and Prometheus on
// 9090; Grafana on 3032 as Mephisto's `metrics view` does.
inline constexpr int kDefaultPrometheusPort = 9090;
inline constexpr int kDefaultGrafanaPort = 3032;
std::vector<std::string> DefaultAggregators();

// What `throng metrics install` writes and `throng metrics view` runs: where, which aggregator
// replicas Prometheus scrapes, and the ports of Prometheus and Grafana (always on 127.0.0.1).
struct MetricsSetup {
  std::filesystem::path dir;
  std::vector<std::string> aggregators;  // host:port, one per aggregator replica
  int prometheus_port = kDefaultPrometheusPort;
  int grafana_port = kDefaultGrafanaPort;

  std::filesystem::path PrometheusConfig() const { return dir / "prometheus" / "prometheus.yml"; }
  std::filesystem::path PrometheusData() const { return dir / "prometheus" / "data"; }
  std::filesystem::path PrometheusLog() const { return dir / "prometheus" / "prometheus.log"; }
  std::filesystem::path GrafanaIni() const { return dir / "grafana" / "grafana.ini"; }
  std::filesystem::path GrafanaProvisioning() const { return dir / "grafana" / "provisioning"; }
  std::filesystem::path GrafanaDashboards() const { return dir / "grafana" / "dashboards"; }
  std::filesystem::path GrafanaLog() const { return dir / "grafana" / "grafana.log"; }
  // Remembers the ports for `view`, which takes only --dir.
  std::filesystem::path Manifest() const { return dir / "throng-metrics.json"; }
  std::string PrometheusUrl() const;
  std::string GrafanaUrl() const;
};

// --dir if given (made absolute, since the configs written refer to it), else
// $XDG_DATA_HOME/throng/metrics, else ~/.local/share/throng/metrics. The environment is passed
// in (null when unset) so that tests need not change it.
Result<std::filesystem::path> ResolveMetricsDir(const std::optional<std::string>& dir_option,
                                                const char* xdg_data_home, const char* home);

// A TCP port 1-65535 given to `option`; the error names the option and the value.
Result<int> ParsePort(const std::string& option, const std::string& text);
// "host:port" with a hostname, an IPv4 address or a bracketed IPv6 address, no scheme or path.
Result<std::string> ParseHostPort(const std::string& option, const std::string& text);

// Validates install's options; empty `aggregators` means DefaultAggregators().
Result<MetricsSetup> MakeMetricsSetup(const std::filesystem::path& dir,
                                      const std::vector<std::string>& aggregators,
                                      const std::optional<std::string>& prometheus_port,
                                      const std::optional<std::string>& grafana_port);

std::string ManifestJson(const MetricsSetup& setup);
// Reads back ManifestJson's text; `dir` is where it was found.
Result<MetricsSetup> ParseManifest(const std::filesystem::path& dir, const std::string& text);

}  // namespace throng::cli

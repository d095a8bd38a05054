#include "metrics_setup.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace throng::cli {

namespace {

bool IsHostname(const std::string& host) {
  return !host.empty() && host.front() != '-' && host.front() != '.' &&
         std::all_of(host.begin(), host.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '.' || c == '_';
         });
}

bool IsBracketedIpv6(const std::string& host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  return std::all_of(host.begin() + 1, host.end() - 1,
                     [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
}

}  // namespace

std::vector<std::string> DefaultAggregators() { return {"127.0.0.1:9300", "127.0.0.1:9301"}; }

std::string MetricsSetup::PrometheusUrl() const {
  return "http://127.0.0.1:" + std::to_string(prometheus_port);
}

std::string MetricsSetup::GrafanaUrl() const {
  return "http://127.0.0.1:" + std::to_string(grafana_port);
}

Result<std::filesystem::path> ResolveMetricsDir(const std::optional<std::string>& dir_option,
                                                const char* xdg_data_home, const char* home) {
  if (dir_option) {
    if (dir_option->empty()) return Fail("--dir must not be empty");
    return std::filesystem::absolute(*dir_option).lexically_normal();
  }
  // The XDG base directory spec says to ignore a relative XDG_DATA_HOME.
  if (xdg_data_home && std::filesystem::path(xdg_data_home).is_absolute()) {
    return std::filesystem::path(xdg_data_home) / "throng" / "metrics";
  }
  if (home && std::filesystem::path(home).is_absolute()) {
    return std::filesystem::path(home) / ".local" / "share" / "throng" / "metrics";
  }
  return Fail("neither XDG_DATA_HOME nor HOME is set to an absolute path; give --dir=<dir>");
}

Result<int> ParsePort(const std::string& option, const std::string& text) {
  bool digits =
      !text.empty() && text.size() <= 5 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  int port = digits ? std::stoi(text) : 0;
  if (port < 1 || port > 65535) {
    return Fail(option + " must be a TCP port from 1 to 65535, got '" + text + "'");
  }
  return port;
}

Result<std::string> ParseHostPort(const std::string& option, const std::string& text) {
  auto example = " (e.g. " + option + "=127.0.0.1:9300)";
  if (text.find("://") != std::string::npos || text.find('/') != std::string::npos) {
    return Fail(option + " takes host:port without a scheme or path, got '" + text + "'" + example);
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Fail(option + " must be host:port, got '" + text + "' (no port)" + example);
  }
  auto host = text.substr(0, colon);
  if (!IsHostname(host) && !IsBracketedIpv6(host)) {
    return Fail(option + " has an invalid host in '" + text +
                "': use a hostname, an IPv4 address or [IPv6]" + example);
  }
  auto port = ParsePort(option + "'s port", text.substr(colon + 1));
  if (!port) return tl::unexpected(port.error());
  return text;
}

Result<MetricsSetup> MakeMetricsSetup(const std::filesystem::path& dir,
                                      const std::vector<std::string>& aggregators,
                                      const std::optional<std::string>& prometheus_port,
                                      const std::optional<std::string>& grafana_port) {
  MetricsSetup setup;
  setup.dir = dir;
  for (const auto& aggregator : aggregators.empty() ? DefaultAggregators() : aggregators) {
    auto target = ParseHostPort("--aggregator", aggregator);
    if (!target) return tl::unexpected(target.error());
    if (std::find(setup.aggregators.begin(), setup.aggregators.end(), *target) !=
        setup.aggregators.end()) {
      return Fail("--aggregator " + *target + " is given twice; list each replica once");
    }
    setup.aggregators.push_back(*target);
  }
  if (prometheus_port) {
    auto port = ParsePort("--prometheus-port", *prometheus_port);
    if (!port) return tl::unexpected(port.error());
    setup.prometheus_port = *port;
  }
  if (grafana_port) {
    auto port = ParsePort("--grafana-port", *grafana_port);
    if (!port) return tl::unexpected(port.error());
    setup.grafana_port = *port;
  }
  if (setup.prometheus_port == setup.grafana_port) {
    return Fail("--prometheus-port and --grafana-port are both " +
                std::to_string(setup.grafana_port) + "; give them different ports");
  }
  return setup;
}

std::string ManifestJson(const MetricsSetup& setup) {
  return nlohmann::json{{"aggregators", setup.aggregators},
                        {"prometheus_port", setup.prometheus_port},
                        {"grafana_port", setup.grafana_port}}
             .dump(2) +
         "\n";
}

Result<MetricsSetup> ParseManifest(const std::filesystem::path& dir, const std::string& text) {
  auto fix = "; run `throng metrics install --dir=" + dir.string() + "` again";
  auto manifest = nlohmann::json::parse(text, nullptr, false);
  if (!manifest.is_object() || !manifest["aggregators"].is_array() ||
      !manifest["prometheus_port"].is_number_integer() ||
      !manifest["grafana_port"].is_number_integer()) {
    return Fail((dir / "throng-metrics.json").string() + " is not what install writes" + fix);
  }
  std::vector<std::string> aggregators;
  for (const auto& aggregator : manifest["aggregators"]) {
    if (!aggregator.is_string()) {
      return Fail((dir / "throng-metrics.json").string() + " lists a non-string aggregator" + fix);
    }
    aggregators.push_back(aggregator.get<std::string>());
  }
  auto setup =
      MakeMetricsSetup(dir, aggregators, std::to_string(manifest["prometheus_port"].get<long>()),
                       std::to_string(manifest["grafana_port"].get<long>()));
  if (!setup) return Fail(setup.error().message + fix);
  return setup;
}

}  // namespace throng::cli

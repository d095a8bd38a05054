#include "metrics_files.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace throng::cli {

namespace {

constexpr const char kShippedPrometheusConfig[] = "deploy/prometheus/prometheus.yml";
constexpr const char kShippedRules[] = "deploy/prometheus/rules/";
constexpr const char kShippedDashboards[] = "grafana/dashboards/";
constexpr const char kShippedProvisioning[] = "grafana/provisioning/";
constexpr const char kPrometheusUrlPlaceholder[] = "${THRONG_PROMETHEUS_URL}";
constexpr const char kGeneratedHeader[] =
    "# Written by `throng metrics install`; running it again overwrites this file.\n";

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A JSON string is also a YAML double-quoted scalar: any path or address stays one value.
std::string YamlQuoted(const std::string& text) { return nlohmann::json(text).dump(); }

// Replaces what follows `key` on every line that starts with it after its indentation, so the
// shipped file keeps its comments and YAML anchors.
std::string RewriteLines(const std::string& text, const std::string& key,
                         const std::string& value) {
  std::istringstream lines(text);
  std::string rewritten;
  for (std::string line; std::getline(lines, line);) {
    auto indent = line.find_first_not_of(' ');
    if (indent != std::string::npos && line.compare(indent, key.size(), key) == 0) {
      line = line.substr(0, indent + key.size()) + " " + value;
    }
    rewritten += line + "\n";
  }
  return rewritten;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Rewrites every `- targets: [...]` line, keeping comments, anchors and everything else, then
// checks with a YAML parser that every scrape job ends up with exactly these targets.
Result<std::string> RenderPrometheusConfig(const std::string& shipped,
                                           const std::vector<std::string>& aggregators) {
  std::string targets;
  for (const auto& aggregator : aggregators) {
    targets += (targets.empty() ? "" : ", ") + YamlQuoted(aggregator);
  }
  auto rendered = kGeneratedHeader + RewriteLines(shipped, "- targets:", "[" + targets + "]");
  auto broken = [](const std::string& why) {
    return Fail(std::string("the built-in ") + kShippedPrometheusConfig + " " + why +
                "; this build of throng cannot render it");
  };
  YAML::Node config;
  try {
    config = YAML::Load(rendered);
  } catch (const YAML::Exception& e) {
    return broken(std::string("does not parse once its targets are rewritten: ") + e.what());
  }
  if (!config["scrape_configs"].IsSequence() || config["scrape_configs"].size() == 0) {
    return broken("has no scrape_configs");
  }
  for (const auto& job : config["scrape_configs"]) {
    const auto& static_configs = job["static_configs"];
    if (!static_configs.IsSequence() || static_configs.size() != 1 ||
        static_configs[0]["targets"].as<std::vector<std::string>>(std::vector<std::string>{}) !=
            aggregators) {
      return broken("has a scrape job whose targets are not one `- targets:` line");
    }
  }
  bool loads_copied_rules = false;
  for (const auto& rule_file : config["rule_files"]) {
    loads_copied_rules |= StartsWith(rule_file.as<std::string>(""), "rules/");
  }
  if (!loads_copied_rules) return broken("no longer loads rules/*.yml beside itself");
  return rendered;
}

// The dashboard providers' `path:` lines point at the copied dashboards.
Result<std::string> RenderDashboardProvider(const std::string& name, const std::string& shipped,
                                            const std::filesystem::path& dashboards) {
  auto rendered =
      kGeneratedHeader + RewriteLines(shipped, "path:", YamlQuoted(dashboards.string()));
  try {
    for (const auto& provider : YAML::Load(rendered)["providers"]) {
      if (provider["options"]["path"].as<std::string>("") == dashboards.string()) continue;
      return Fail("the built-in " + name + " has a dashboard provider without an options.path");
    }
  } catch (const YAML::Exception& e) {
    return Fail("the built-in " + name + " does not parse: " + e.what());
  }
  return rendered;
}

std::string GrafanaIni(const MetricsSetup& setup) {
  auto grafana = setup.dir / "grafana";
  std::ostringstream ini;
  ini << "; Written by `throng metrics install` for `throng metrics view`; running install again\n"
         "; overwrites this file. Grafana keeps its database, logs and plugins below "
      << grafana.string() << ".\n"
      << "[paths]\n"
      << "data = " << (grafana / "data").string() << "\n"
      << "logs = " << (grafana / "logs").string() << "\n"
      << "plugins = " << (grafana / "plugins").string() << "\n"
      << "provisioning = " << setup.GrafanaProvisioning().string() << "\n\n"
      << "[server]\n"
      << "http_addr = 127.0.0.1\n"
      << "http_port = " << setup.grafana_port << "\n\n"
      << "[security]\n"
      << "; Applies when Grafana creates its database on the first start, as in Mephisto.\n"
      << "admin_user = admin\n"
      << "admin_password = admin\n\n"
      << "[analytics]\n"
      << "reporting_enabled = false\n"
      << "check_for_updates = false\n";
  return ini.str();
}

}  // namespace

std::vector<GeneratedDirectory> GeneratedDirectories() {
  return {{"prometheus/rules", ".yml"}, {"grafana/dashboards", ".json"}};
}

Result<std::vector<GeneratedFile>> RenderMetricsFiles(
    const MetricsSetup& setup, const std::map<std::string, std::string>& shipped) {
  std::vector<GeneratedFile> files;
  auto config = shipped.find(kShippedPrometheusConfig);
  if (config == shipped.end()) {
    return Fail(std::string("this build of throng has no built-in ") + kShippedPrometheusConfig);
  }
  auto prometheus_config = RenderPrometheusConfig(config->second, setup.aggregators);
  if (!prometheus_config) return tl::unexpected(prometheus_config.error());
  files.push_back({"prometheus/prometheus.yml", *prometheus_config});

  bool has_datasource = false;
  for (const auto& [name, content] : shipped) {
    if (StartsWith(name, kShippedRules) && EndsWith(name, ".yml")) {
      files.push_back({"prometheus/rules/" + name.substr(sizeof(kShippedRules) - 1), content});
    } else if (StartsWith(name, kShippedDashboards) && EndsWith(name, ".json")) {
      files.push_back(
          {"grafana/dashboards/" + name.substr(sizeof(kShippedDashboards) - 1), content});
    } else if (StartsWith(name, kShippedProvisioning) && EndsWith(name, ".yml")) {
      auto relative = name.substr(sizeof(kShippedProvisioning) - 1);
      // Grafana would expand the placeholder from its environment; the local URL is known.
      has_datasource |= content.find(kPrometheusUrlPlaceholder) != std::string::npos;
      auto local = ReplaceAll(content, kPrometheusUrlPlaceholder, setup.PrometheusUrl());
      if (StartsWith(relative, "dashboards/")) {
        auto provider = RenderDashboardProvider(name, local, setup.GrafanaDashboards());
        if (!provider) return tl::unexpected(provider.error());
        local = *provider;
      } else {
        local = kGeneratedHeader + local;
      }
      files.push_back({"grafana/provisioning/" + relative, local});
    }
  }
  if (!has_datasource) {
    return Fail(std::string("no built-in grafana/provisioning file has the datasource URL ") +
                kPrometheusUrlPlaceholder + " to point at the local Prometheus");
  }
  files.push_back({"grafana/grafana.ini", GrafanaIni(setup)});
  files.push_back({"throng-metrics.json", ManifestJson(setup)});
  return files;
}

}  // namespace throng::cli

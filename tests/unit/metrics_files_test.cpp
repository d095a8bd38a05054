#include "metrics_files.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "embedded_metrics_files.hpp"
#include "metrics_server_commands.hpp"

namespace throng::cli {
namespace {

using Files = std::map<std::string, std::string>;

MetricsSetup SampleSetup(std::vector<std::string> aggregators = DefaultAggregators()) {
  return MetricsSetup{"/data/throng metrics", std::move(aggregators), 19090, 13032};
}

Files Rendered(const MetricsSetup& setup, const Files& shipped = EmbeddedMetricsFiles()) {
  auto files = RenderMetricsFiles(setup, shipped);
  EXPECT_TRUE(files) << (files ? "" : files.error().message);
  Files by_path;
  if (files) {
    for (const auto& file : *files) by_path[file.path] = file.content;
  }
  return by_path;
}

size_t CountWithPrefix(const Files& files, const std::string& prefix) {
  size_t count = 0;
  for (const auto& [path, content] : files) count += path.rfind(prefix, 0) == 0;
  return count;
}

TEST(MetricsFiles, EveryShippedFileIsEmbedded) {
  const auto& shipped = EmbeddedMetricsFiles();
  EXPECT_TRUE(shipped.count("deploy/prometheus/prometheus.yml"));
  EXPECT_TRUE(shipped.count("grafana/provisioning/datasources/prometheus.yml"));
  EXPECT_TRUE(shipped.count("grafana/provisioning/dashboards/throng.yml"));
  EXPECT_GE(CountWithPrefix(shipped, "deploy/prometheus/rules/"), 3u);
  EXPECT_GE(CountWithPrefix(shipped, "grafana/dashboards/"), 1u);
  // The rules' promtool tests are for the source tree, not for a running Prometheus.
  EXPECT_EQ(CountWithPrefix(shipped, "deploy/prometheus/tests/"), 0u);
}

TEST(MetricsFiles, EveryJobScrapesTheGivenAggregators) {
  auto setup = SampleSetup({"10.0.0.5:9300", "[::1]:9400", "agg.example:80"});
  auto config = YAML::Load(Rendered(setup).at("prometheus/prometheus.yml"));
  ASSERT_GE(config["scrape_configs"].size(), 3u);
  for (const auto& job : config["scrape_configs"]) {
    EXPECT_EQ(job["static_configs"][0]["targets"].as<std::vector<std::string>>(), setup.aggregators)
        << job["job_name"];
  }
  // Rule files stay relative to the config, that is the copied prometheus/rules/.
  EXPECT_EQ(config["rule_files"][0].as<std::string>(), "rules/*.yml");
}

TEST(MetricsFiles, DefaultTargetsAreTheLocalStacksAggregators) {
  auto config = Rendered(SampleSetup()).at("prometheus/prometheus.yml");
  EXPECT_NE(config.find(R"(- targets: ["127.0.0.1:9300", "127.0.0.1:9301"])"), std::string::npos);
  // The shipped comments explaining the replicas are kept.
  EXPECT_NE(config.find("# Each aggregator replica is its own target"), std::string::npos);
}

TEST(MetricsFiles, CopiesEveryRuleFileAndDashboardUnchanged) {
  const auto& shipped = EmbeddedMetricsFiles();
  auto files = Rendered(SampleSetup());
  size_t rules = 0, dashboards = 0;
  for (const auto& [name, content] : shipped) {
    if (name.rfind("deploy/prometheus/rules/", 0) == 0) {
      ++rules;
      EXPECT_EQ(files.at("prometheus/rules/" + name.substr(24)), content) << name;
    } else if (name.rfind("grafana/dashboards/", 0) == 0) {
      ++dashboards;
      EXPECT_EQ(files.at("grafana/dashboards/" + name.substr(19)), content) << name;
      EXPECT_FALSE(nlohmann::json::parse(content, nullptr, false).is_discarded()) << name;
    }
  }
  EXPECT_EQ(CountWithPrefix(files, "prometheus/rules/"), rules);
  EXPECT_EQ(CountWithPrefix(files, "grafana/dashboards/"), dashboards);
}

TEST(MetricsFiles, DatasourceIsTheLocalPrometheusWithTheShippedUid) {
  auto files = Rendered(SampleSetup());
  auto datasources = YAML::Load(files.at("grafana/provisioning/datasources/prometheus.yml"));
  EXPECT_EQ(datasources["datasources"][0]["url"].as<std::string>(), "http://127.0.0.1:19090");
  EXPECT_EQ(datasources["datasources"][0]["uid"].as<std::string>(), "throng-prometheus");
  for (const auto& [path, content] : files) {
    EXPECT_EQ(content.find("${THRONG_PROMETHEUS_URL}"), std::string::npos) << path;
  }
}

TEST(MetricsFiles, DashboardProviderReadsTheCopiedDashboards) {
  auto provider =
      YAML::Load(Rendered(SampleSetup()).at("grafana/provisioning/dashboards/throng.yml"));
  EXPECT_EQ(provider["providers"][0]["options"]["path"].as<std::string>(),
            "/data/throng metrics/grafana/dashboards");
}

TEST(MetricsFiles, GrafanaIniHasThePortPathsAndLogin) {
  auto ini = Rendered(SampleSetup()).at("grafana/grafana.ini");
  for (const char* line : {"http_addr = 127.0.0.1\n", "http_port = 13032\n", "admin_user = admin\n",
                           "admin_password = admin\n", "data = /data/throng metrics/grafana/data\n",
                           "provisioning = /data/throng metrics/grafana/provisioning\n"}) {
    EXPECT_NE(ini.find(line), std::string::npos) << line;
  }
}

TEST(MetricsFiles, ManifestRecordsTheSetup) {
  auto setup = SampleSetup({"a:1"});
  auto manifest = ParseManifest(setup.dir, Rendered(setup).at("throng-metrics.json"));
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->aggregators, setup.aggregators);
  EXPECT_EQ(manifest->prometheus_port, 19090);
  EXPECT_EQ(manifest->grafana_port, 13032);
}

TEST(MetricsFiles, RenderingIsIdempotent) {
  EXPECT_EQ(Rendered(SampleSetup()), Rendered(SampleSetup()));
}

TEST(MetricsFiles, FailsWhenTheShippedConfigChangedShape) {
  Files shipped = EmbeddedMetricsFiles();
  shipped.erase("deploy/prometheus/prometheus.yml");
  auto missing = RenderMetricsFiles(SampleSetup(), shipped);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("deploy/prometheus/prometheus.yml"), std::string::npos);

  shipped["deploy/prometheus/prometheus.yml"] =
      "rule_files: [rules/*.yml]\nscrape_configs:\n  - job_name: a\n    static_configs:\n"
      "      - targets:\n          - 127.0.0.1:1\n";
  auto multiline = RenderMetricsFiles(SampleSetup(), shipped);
  ASSERT_FALSE(multiline);
  EXPECT_NE(multiline.error().message.find("cannot render"), std::string::npos);

  shipped["deploy/prometheus/prometheus.yml"] =
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: []\n";
  auto no_rules = RenderMetricsFiles(SampleSetup(), shipped);
  ASSERT_FALSE(no_rules);
  EXPECT_NE(no_rules.error().message.find("rules/*.yml"), std::string::npos);
}

TEST(MetricsFiles, FailsWithoutTheDatasourcePlaceholder) {
  Files shipped = EmbeddedMetricsFiles();
  shipped["grafana/provisioning/datasources/prometheus.yml"] = "apiVersion: 1\n";
  auto rendered = RenderMetricsFiles(SampleSetup(), shipped);
  ASSERT_FALSE(rendered);
  EXPECT_NE(rendered.error().message.find("${THRONG_PROMETHEUS_URL}"), std::string::npos);
}

TEST(MetricsServerCommands, PrometheusStaysOnLoopbackWithItsDataInTheSetup) {
  auto command = PrometheusCommand(SampleSetup(), "/usr/bin/prometheus");
  EXPECT_EQ(command.program, "/usr/bin/prometheus");
  EXPECT_EQ(command.args, (std::vector<std::string>{
                              "--config.file=/data/throng metrics/prometheus/prometheus.yml",
                              "--storage.tsdb.path=/data/throng metrics/prometheus/data",
                              "--web.listen-address=127.0.0.1:19090"}));
  EXPECT_EQ(command.ready_path, "/-/ready");
}

TEST(MetricsServerCommands, GrafanaGetsTheSetupsIni) {
  auto old_style = GrafanaCommand(SampleSetup(), "/usr/sbin/grafana-server", "", std::nullopt);
  EXPECT_EQ(old_style.args,
            (std::vector<std::string>{"--config=/data/throng metrics/grafana/grafana.ini"}));
  auto single_binary =
      GrafanaCommand(SampleSetup(), "/opt/grafana/bin/grafana", "server", "/opt/grafana");
  EXPECT_EQ(single_binary.args,
            (std::vector<std::string>{"server", "--homepath=/opt/grafana",
                                      "--config=/data/throng metrics/grafana/grafana.ini"}));
  EXPECT_EQ(single_binary.ready_path, "/api/health");
}

}  // namespace
}  // namespace throng::cli

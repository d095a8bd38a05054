#include "metrics_setup.hpp"

#include <gtest/gtest.h>

namespace throng::cli {
namespace {

TEST(MetricsSetup, DirFromOptionThenXdgDataHomeThenHome) {
  EXPECT_EQ(*ResolveMetricsDir(std::string("/srv/mon/../metrics"), "/xdg", "/home/u"),
            "/srv/metrics");
  EXPECT_TRUE(ResolveMetricsDir(std::string("relative"), nullptr, nullptr)->is_absolute());
  EXPECT_EQ(*ResolveMetricsDir(std::nullopt, "/xdg", "/home/u"), "/xdg/throng/metrics");
  // The XDG spec says a relative XDG_DATA_HOME is to be ignored.
  EXPECT_EQ(*ResolveMetricsDir(std::nullopt, "xdg", "/home/u"),
            "/home/u/.local/share/throng/metrics");
  EXPECT_EQ(*ResolveMetricsDir(std::nullopt, nullptr, "/home/u"),
            "/home/u/.local/share/throng/metrics");
  auto none = ResolveMetricsDir(std::nullopt, nullptr, nullptr);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("--dir"), std::string::npos);
  EXPECT_FALSE(ResolveMetricsDir(std::string(""), "/xdg", "/home/u"));
}

TEST(MetricsSetup, PortsAreOneTo65535) {
  EXPECT_EQ(*ParsePort("--prometheus-port", "9090"), 9090);
  EXPECT_EQ(*ParsePort("--prometheus-port", "1"), 1);
  EXPECT_EQ(*ParsePort("--prometheus-port", "65535"), 65535);
  for (const char* bad : {"0", "65536", "", "90a", "-1", "+80", " 80", "123456", "9090.0"}) {
    auto port = ParsePort("--grafana-port", bad);
    ASSERT_FALSE(port) << bad;
    EXPECT_EQ(port.error().message,
              std::string("--grafana-port must be a TCP port from 1 to 65535, got '") + bad + "'");
  }
}

TEST(MetricsSetup, AggregatorsAreHostColonPort) {
  for (const char* good : {"127.0.0.1:9300", "aggregator-1.example:80", "[::1]:9300", "agg_2:1"}) {
    EXPECT_EQ(*ParseHostPort("--aggregator", good), good);
  }
  auto error_of = [](const std::string& text) {
    auto parsed = ParseHostPort("--aggregator", text);
    EXPECT_FALSE(parsed) << text;
    return parsed ? std::string() : parsed.error().message;
  };
  EXPECT_NE(error_of("http://127.0.0.1:9300").find("without a scheme or path"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:9300/metrics").find("without a scheme or path"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1").find("no port"), std::string::npos);
  EXPECT_NE(error_of(":9300").find("invalid host"), std::string::npos);
  EXPECT_NE(error_of("::1:9300").find("invalid host"), std::string::npos);
  EXPECT_NE(error_of("a b:9300").find("invalid host"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:0").find("from 1 to 65535"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:").find("from 1 to 65535"), std::string::npos);
}

TEST(MetricsSetup, DefaultsAreTheLocalStack) {
  auto setup = MakeMetricsSetup("/m", {}, std::nullopt, std::nullopt);
  ASSERT_TRUE(setup) << setup.error().message;
  EXPECT_EQ(setup->aggregators, (std::vector<std::string>{"127.0.0.1:9300", "127.0.0.1:9301"}));
  EXPECT_EQ(setup->prometheus_port, 9090);
  EXPECT_EQ(setup->grafana_port, 3032);
  EXPECT_EQ(setup->PrometheusUrl(), "http://127.0.0.1:9090");
  EXPECT_EQ(setup->GrafanaUrl(), "http://127.0.0.1:3032");
  EXPECT_EQ(setup->PrometheusConfig(), "/m/prometheus/prometheus.yml");
  EXPECT_EQ(setup->PrometheusData(), "/m/prometheus/data");
  EXPECT_EQ(setup->GrafanaIni(), "/m/grafana/grafana.ini");
}

TEST(MetricsSetup, RejectsDuplicateTargetsAndSharedPorts) {
  auto twice = MakeMetricsSetup("/m", {"h:1", "h:2", "h:1"}, std::nullopt, std::nullopt);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("h:1 is given twice"), std::string::npos);
  auto shared = MakeMetricsSetup("/m", {}, std::string("4000"), std::string("4000"));
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().message.find("different ports"), std::string::npos);
  EXPECT_FALSE(MakeMetricsSetup("/m", {"h"}, std::nullopt, std::nullopt));
  EXPECT_FALSE(MakeMetricsSetup("/m", {}, std::string("x"), std::nullopt));
  EXPECT_FALSE(MakeMetricsSetup("/m", {}, std::nullopt, std::string("70000")));
}

TEST(MetricsSetup, ManifestRoundTrips) {
  auto setup = MakeMetricsSetup("/m", {"a:1", "b:2"}, std::string("19090"), std::string("13032"));
  ASSERT_TRUE(setup);
  auto read = ParseManifest("/m", ManifestJson(*setup));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->dir, "/m");
  EXPECT_EQ(read->aggregators, setup->aggregators);
  EXPECT_EQ(read->prometheus_port, 19090);
  EXPECT_EQ(read->grafana_port, 13032);
}

TEST(MetricsSetup, BadManifestSaysToInstallAgain) {
  for (const char* bad : {"", "{}", "[1]", R"({"aggregators": [1], "prometheus_port": 1,
                                               "grafana_port": 2})",
                          R"({"aggregators": ["a:1"], "prometheus_port": 0, "grafana_port": 2})"}) {
    auto read = ParseManifest("/m", bad);
    ASSERT_FALSE(read) << bad;
    EXPECT_NE(read.error().message.find("run `throng metrics install --dir=/m` again"),
              std::string::npos)
        << read.error().message;
  }
}

}  // namespace
}  // namespace throng::cli

#include "metrics_server_commands.hpp"

#include "child_process.hpp"

namespace throng::cli {

namespace {

std::optional<std::filesystem::path> GrafanaHome(const std::filesystem::path& binary) {
  std::error_code ec;
  auto resolved = std::filesystem::canonical(binary, ec);
  auto beside = (ec ? binary : resolved).parent_path().parent_path();
  for (const auto& home : {beside, std::filesystem::path("/usr/share/grafana")}) {
    if (std::filesystem::exists(home / "conf" / "defaults.ini", ec)) return home;
  }
  return std::nullopt;
}

}  // namespace

ServerCommand PrometheusCommand(const MetricsSetup& setup, const std::filesystem::path& program) {
  return {program,
          {"--config.file=" + setup.PrometheusConfig().string(),
           "--storage.tsdb.path=" + setup.PrometheusData().string(),
           "--web.listen-address=127.0.0.1:" + std::to_string(setup.prometheus_port)},
          "/-/ready"};
}

ServerCommand GrafanaCommand(const MetricsSetup& setup, const std::filesystem::path& program,
                             const std::string& subcommand,
                             const std::optional<std::filesystem::path>& home) {
  ServerCommand command{program, {}, "/api/health"};
  if (!subcommand.empty()) command.args.push_back(subcommand);
  if (home) command.args.push_back("--homepath=" + home->string());
  command.args.push_back("--config=" + setup.GrafanaIni().string());
  return command;
}

std::optional<ServerCommand> FindGrafana(const MetricsSetup& setup) {
  if (auto server = FindExecutable("grafana-server")) {
    return GrafanaCommand(setup, *server, "", GrafanaHome(*server));
  }
  if (auto grafana = FindExecutable("grafana")) {
    return GrafanaCommand(setup, *grafana, "server", GrafanaHome(*grafana));
  }
  return std::nullopt;
}

}  // namespace throng::cli

#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "metrics_setup.hpp"

namespace throng::cli {

// How `throng metrics view` runs a server of the installed setup.
struct ServerCommand {
  std::filesystem::path program;
  std::vector<std::string> args;
  std::string ready_path;  // answers 200 once the server serves
};

// prometheus from the Debian package, bound to loopback, keeping its data in the setup dir.
ServerCommand PrometheusCommand(const MetricsSetup& setup, const std::filesystem::path& program);

// Grafana with the setup's grafana.ini (ports, paths, provisioning). `subcommand` is "server"
// for Grafana's single `grafana` binary and empty for `grafana-server`; `home` is Grafana's
// installation directory (its conf/defaults.ini and web assets) when known.
ServerCommand GrafanaCommand(const MetricsSetup& setup, const std::filesystem::path& program,
                             const std::string& subcommand,
                             const std::optional<std::filesystem::path>& home);

// The installed Grafana: `grafana-server`, else `grafana server`, found on PATH; its home is
// the directory above the binary's when that holds conf/defaults.ini (a release tarball),
// else /usr/share/grafana (Grafana's own Debian packages).
std::optional<ServerCommand> FindGrafana(const MetricsSetup& setup);

}  // namespace throng::cli

#include "metrics_install.hpp"

#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "metrics_files.hpp"
#include "throng/common/exit_codes.hpp"

namespace throng::cli {

namespace {

namespace fs = std::filesystem;

// Writes beside the target and renames, so a Prometheus reading its config never sees half.
Result<void> WriteFileAtomically(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Fail("cannot create " + path.parent_path().string() + ": " + ec.message());
  auto temporary = path;
  temporary += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << content;
    if (!file.flush()) return Fail("cannot write " + temporary.string());
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return Fail("cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

// Files an earlier install wrote that the shipped set no longer has.
std::vector<std::string> StaleFiles(const fs::path& dir, const std::set<std::string>& written) {
  std::vector<std::string> stale;
  for (const auto& generated : GeneratedDirectories()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / generated.path, ec)) {
      auto relative = generated.path + "/" + entry.path().filename().string();
      if (entry.is_regular_file() && entry.path().extension() == generated.extension &&
          !written.count(relative)) {
        stale.push_back(relative);
      }
    }
  }
  return stale;
}

}  // namespace

int MetricsInstall(const MetricsSetup& setup, const std::map<std::string, std::string>& shipped,
                   bool is_default_dir, bool as_json, std::ostream& out, std::ostream& err) {
  auto files = RenderMetricsFiles(setup, shipped);
  if (!files) {
    err << "throng: " << files.error().message << "\n";
    return kExitRuntime;
  }
  std::set<std::string> written;
  for (const auto& file : *files) written.insert(file.path);
  auto stale = StaleFiles(setup.dir, written);
  for (const auto& file : *files) {
    if (auto done = WriteFileAtomically(setup.dir / file.path, file.content); !done) {
      err << "throng: " << done.error().message << "; check that --dir=" << setup.dir.string()
          << " is writable\n";
      return kExitRuntime;
    }
  }
  for (const auto& file : stale) {
    std::error_code ec;
    fs::remove(setup.dir / file, ec);
  }

  auto view =
      std::string("throng metrics view") + (is_default_dir ? "" : " --dir=" + setup.dir.string());
  if (as_json) {
    nlohmann::json report{{"dir", setup.dir.string()},
                          {"files", written},
                          {"removed", stale},
                          {"aggregators", setup.aggregators},
                          {"prometheus_url", setup.PrometheusUrl()},
                          {"grafana_url", setup.GrafanaUrl()},
                          {"next", view}};
    out << report.dump() << "\n";
    return kExitOk;
  }
  out << "Wrote the monitoring setup to " << setup.dir.string() << ":\n";
  for (const auto& file : *files) {
    out << "  " << file.path;
    if (file.path == "prometheus/prometheus.yml") {
      out << "  (scrapes";
      for (const auto& aggregator : setup.aggregators) out << " " << aggregator;
      out << ")";
    }
    out << "\n";
  }
  for (const auto& file : stale) out << "  removed " << file << " (no longer shipped)\n";
  out << "Prometheus will listen on " << setup.PrometheusUrl() << ", Grafana on "
      << setup.GrafanaUrl() << " (data in " << setup.PrometheusData().string()
      << " is kept across installs).\n"
      << "Next: " << view << "\n";
  return kExitOk;
}

}  // namespace throng::cli

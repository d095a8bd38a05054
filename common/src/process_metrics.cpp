#include "throng/common/process_metrics.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace throng {

namespace {

prometheus::MetricFamily Single(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family{name, help, type, {}};
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

prometheus::MetricFamily Gauge(const char* name, const char* help, double value) {
  return Single(name, help, prometheus::MetricType::Gauge, value);
}

// The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and
// parentheses: fields[0] is field 3 of proc(5), the state.
std::vector<std::string> StatFields(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return {};
  auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// Field `number` (1-based, as proc(5) numbers them) of /proc/<pid>/stat.
std::optional<double> StatField(const std::vector<std::string>& fields, std::size_t number) {
  if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
  try {
    return std::stod(fields[number - 3]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> BootTimeSeconds(const std::string& proc_dir) {
  std::ifstream in(proc_dir + "/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double value = 0;
      if (in >> value) return value;
      return std::nullopt;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

// The soft limit of "Max open files" in /proc/<pid>/limits; nothing when unlimited.
std::optional<double> MaxOpenFiles(const std::string& path) {
  std::ifstream in(path);
  const std::string prefix = "Max open files";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream values(line.substr(prefix.size()));
    std::string soft;
    values >> soft;
    try {
      return std::stod(soft);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<double> OpenFds(const std::string& path) {
  std::error_code error;
  std::filesystem::directory_iterator it(path, error);
  if (error) return std::nullopt;
  double count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return std::nullopt;
    ++count;
  }
  return count;
}

}  // namespace

ProcessMetrics::ProcessMetrics(std::string proc_dir)
    : proc_dir_(std::move(proc_dir)),
      ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      boot_time_seconds_(BootTimeSeconds(proc_dir_)) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  const auto self = proc_dir_ + "/self";
  auto stat = StatFields(self + "/stat");
  auto utime = StatField(stat, 14);
  auto stime = StatField(stat, 15);
  if (utime && stime && ticks_per_second_ > 0) {
    families.push_back(
        Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
               prometheus::MetricType::Counter, (*utime + *stime) / ticks_per_second_));
  }
  if (auto vsize = StatField(stat, 23)) {
    families.push_back(
        Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes", *vsize));
  }
  auto rss_pages = StatField(stat, 24);
  auto page_size = sysconf(_SC_PAGESIZE);
  if (rss_pages && page_size > 0) {
    families.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes",
                             *rss_pages * static_cast<double>(page_size)));
  }
  auto start_ticks = StatField(stat, 22);
  if (start_ticks && boot_time_seconds_ && ticks_per_second_ > 0) {
    families.push_back(Gauge("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds",
                             *boot_time_seconds_ + *start_ticks / ticks_per_second_));
  }
  if (auto fds = OpenFds(self + "/fd")) {
    families.push_back(Gauge("process_open_fds", "Number of open file descriptors", *fds));
  }
  if (auto max_fds = MaxOpenFiles(self + "/limits")) {
    families.push_back(
        Gauge("process_max_fds", "Maximum number of open file descriptors", *max_fds));
  }
  return families;
}

}  // namespace throng

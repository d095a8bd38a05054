#include "throng/common/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace throng {
namespace {

// name -> value of every single-sample family collected.
std::map<std::string, double> Values(const ProcessMetrics& metrics) {
  std::map<std::string, double> values;
  for (const auto& family : metrics.Collect()) {
    EXPECT_EQ(family.metric.size(), 1u) << family.name;
    if (family.metric.empty()) continue;
    const auto& metric = family.metric.front();
    values[family.name] =
        family.type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
  }
  return values;
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ProcessMetrics, ReadsThisProcessFromProcfs) {
  auto values = Values(ProcessMetrics());
  ASSERT_EQ(values.size(), 6u);
  EXPECT_GE(values["process_cpu_seconds_total"], 0);
  EXPECT_GT(values["process_resident_memory_bytes"], 0);
  EXPECT_GE(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  EXPECT_GT(values["process_open_fds"], 0);
  EXPECT_GE(values["process_max_fds"], values["process_open_fds"]);
  // The test started moments ago; the boot time procfs gives is whole seconds, hence the slack.
  auto now = NowSeconds();
  EXPECT_LE(values["process_start_time_seconds"], now + 1);
  EXPECT_GT(values["process_start_time_seconds"], now - 6 * 3600);
}

TEST(ProcessMetrics, CountsADescriptorOpenedSinceTheLastCollect) {
  ProcessMetrics metrics;
  auto before = Values(metrics)["process_open_fds"];
  int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  auto during = Values(metrics)["process_open_fds"];
  close(fd);
  EXPECT_EQ(during, before + 1);
}

TEST(ProcessMetrics, TypesAndHelpFollowTheClientLibraries) {
  for (const auto& family : ProcessMetrics().Collect()) {
    EXPECT_FALSE(family.help.empty()) << family.name;
    auto expected = family.name == "process_cpu_seconds_total" ? prometheus::MetricType::Counter
                                                               : prometheus::MetricType::Gauge;
    EXPECT_EQ(family.type, expected) << family.name;
    EXPECT_TRUE(family.metric.front().label.empty()) << family.name;
  }
}

// A fake procfs in a fresh temporary directory, removed afterwards.
class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("throng-fake-proc-" + std::to_string(std::random_device()()));
    std::filesystem::create_directories(dir_ / "self");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& text) {
    std::ofstream(dir_ / path) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(FakeProc, NothingReadableMeansNoMetricsAndNoThrow) {
  std::filesystem::remove_all(dir_ / "self");
  ProcessMetrics metrics(dir_.string());
  EXPECT_TRUE(metrics.Collect().empty());
  EXPECT_TRUE(ProcessMetrics((dir_ / "missing").string()).Collect().empty());
}

TEST_F(FakeProc, ParsesStatPastACommandNameWithParenthesesAndSpaces) {
  // Fields 3.. of proc(5): utime (14) 250 ticks, stime (15) 50, starttime (22) 1000,
  // vsize (23) 8192000, rss (24) 100 pages.
  Write("self/stat",
        "42 (a (b) c) S 1 42 42 0 -1 4194560 1 0 0 0 250 50 0 0 20 0 3 0 1000 8192000 100 "
        "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
  Write("stat", "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 7\n");
  Write("self/limits",
        "Limit                     Soft Limit           Hard Limit           Units\n"
        "Max cpu time              unlimited            unlimited            seconds\n"
        "Max open files            4096                 524288               files\n");
  std::filesystem::create_directories(dir_ / "self/fd");
  for (const char* fd : {"0", "1", "2"}) Write(std::string("self/fd/") + fd, "");

  auto values = Values(ProcessMetrics(dir_.string()));
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  EXPECT_DOUBLE_EQ(values["process_cpu_seconds_total"], 300 / ticks);
  EXPECT_DOUBLE_EQ(values["process_virtual_memory_bytes"], 8192000);
  EXPECT_DOUBLE_EQ(values["process_resident_memory_bytes"], 100 * page);
  EXPECT_DOUBLE_EQ(values["process_start_time_seconds"], 1700000000 + 1000 / ticks);
  EXPECT_DOUBLE_EQ(values["process_open_fds"], 3);
  EXPECT_DOUBLE_EQ(values["process_max_fds"], 4096);
}

TEST_F(FakeProc, SkipsOnlyWhatCannotBeRead) {
  Write("self/stat", "42 (x) S 1 42 42 0 -1 0 1 0 0 0 7 3\n");  // truncated after stime
  Write("self/limits",
        "Max open files            unlimited            unlimited            files\n");
  auto values = Values(ProcessMetrics(dir_.string()));
  EXPECT_EQ(values.size(), 1u);
  EXPECT_TRUE(values.count("process_cpu_seconds_total"));
}

}  // namespace
}  // namespace throng

#include "throng/common/service_metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include "throng/common/admin_server.hpp"
#include "throng/common/build_info.hpp"

namespace throng {
namespace {

TEST(ServiceMetrics, OneExpositionCarriesRegistryBuildInfoStateAndProcess) {
  ServiceMetrics metrics("operator");
  prometheus::BuildCounter()
      .Name("throng_test_total")
      .Help("t")
      .Register(metrics.Registry())
      .Add({});
  metrics.State().Set(ServiceState::State::kRunning);
  auto text = SerializeRegistry(metrics);

  EXPECT_NE(text.find("\nthrong_test_total 0"), std::string::npos) << text;
  auto build_info = std::string("throng_build_info{compiler=\"") + BuildCompiler() +
                    "\",revision=\"" + BuildRevision() + "\",service=\"operator\",version=\"" +
                    THRONG_VERSION + "\"} 1";
  EXPECT_NE(text.find(build_info), std::string::npos) << text;
  EXPECT_NE(text.find("throng_service_state{service=\"operator\",state=\"running\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("throng_service_state{service=\"operator\",state=\"starting\"} 0"),
            std::string::npos);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
}

TEST(ServiceMetrics, BuildInfoNamesACompilerAndARevision) {
  EXPECT_FALSE(std::string(BuildRevision()).empty());
  EXPECT_NE(std::string(BuildCompiler()), "unknown");
}

}  // namespace
}  // namespace throng

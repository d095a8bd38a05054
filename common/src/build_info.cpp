#include "throng/common/build_info.hpp"

#include <prometheus/gauge.h>

#ifndef THRONG_REVISION
#define THRONG_REVISION "unknown"
#endif

#define THRONG_STRINGIFY_(x) #x
#define THRONG_STRINGIFY(x) THRONG_STRINGIFY_(x)
#define THRONG_DOTTED(a, b, c) THRONG_STRINGIFY(a) "." THRONG_STRINGIFY(b) "." THRONG_STRINGIFY(c)

namespace throng {

const char* BuildRevision() { return THRONG_REVISION; }

const char* BuildCompiler() {
#if defined(__clang__)
  return "clang " THRONG_DOTTED(__clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " THRONG_DOTTED(__GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service) {
  prometheus::BuildGauge()
      .Name("throng_build_info")
      .Help("Always 1; the labels say which build this instance runs")
      .Register(registry)
      .Add({{"service", service},
            {"version", THRONG_VERSION},
            {"revision", BuildRevision()},
            {"compiler", BuildCompiler()}})
      .Set(1);
}

}  // namespace throng

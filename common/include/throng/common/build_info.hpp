#pragma once

#include <prometheus/registry.h>

#include <string>

namespace throng {

// The source revision this binary was configured from (short git commit, or "unknown" when
// built outside a git checkout).
const char* BuildRevision();
// The compiler that built it, e.g. "gcc 12.2.0".
const char* BuildCompiler();

// throng_build_info{service, version, revision, compiler} 1, so dashboards can tell which
// build each instance runs.
void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service);

}  // namespace throng

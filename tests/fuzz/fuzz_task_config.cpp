// libFuzzer target: a user's task config YAML as `throng launch` and the operator read it:
// YAML parsing, the shape check, then the group parsers (provider, worker pool, monitoring)
// and the whole spec resolution against a directory that does not exist, so no task file is
// ever found or read.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "provider_spec.hpp"
#include "quality_monitors.hpp"
#include "task_config_schema.hpp"
#include "task_run_spec.hpp"
#include "worker_pool_rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace throng::operator_;
  YAML::Node config;
  try {
    config = YAML::Load(throng::fuzz::FuzzInput(data, size).Rest());
  } catch (const YAML::Exception&) {
    return 0;  // reported to the user as invalid YAML
  }
  // Exceptions escaping from here on are bugs: callers expect a Result.
  // A copy: ResolveTaskRunSpec rebinds its document to the `mephisto` mapping.
  (void)ResolveTaskRunSpec(YAML::Clone(config), "/nonexistent/throng-fuzz");
  if (!config.IsMap()) return 0;
  // Looked up as ResolveTaskRunSpec does, with non-const subscripts.
  YAML::Node body = config["mephisto"] && config["mephisto"].IsMap() ? config["mephisto"] : config;
  if (!body.IsMap() || !CheckTaskConfigShape(body)) return 0;
  // What ResolveTaskRunSpec reaches only with real task files, once the shape is right.
  (void)ParseProviderSpec(body["provider"]);
  if (body["blueprint"].IsMap() && body["task"].IsMap()) {
    (void)ParseWorkerPoolRules(body["blueprint"], body["task"]);
  }
  (void)ParseQualityMonitors(body["monitoring"]);
  return 0;
}

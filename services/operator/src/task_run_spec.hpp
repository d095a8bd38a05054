#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provider_spec.hpp"
#include "quality_monitors.hpp"
#include "throng/common/error.hpp"
#include "worker_pool_rules.hpp"

namespace throng::operator_ {

// Everything needed to create a task run, resolved from a YAML config (Mephisto's
// blueprint/provider/task groups) plus key=value overrides. Relative paths are resolved
// against the config file's directory.
struct TaskRunSpec {
  std::string config_path;
  std::string resolved_yaml;  // the config after overrides, stored as the run's init_params

  std::string blueprint_type;  // static_task | static_react_task | paired_chat
  // Absolute path of the HTML template (static_task) or of the built bundle.js
  // (static_react_task and paired_chat: a page built against the npm package mephisto-task).
  std::string task_source;
  std::string data_path;  // absolute path of the CSV/JSON/JSONL data
  int units_per_assignment = 1;

  // architect.public_url: where workers reach the routers ("": the CLI's launch.worker_url).
  std::string public_url;

  ProviderSpec provider;  // provider.type (mock | inhouse | prolific) and its settings

  std::string task_name;
  std::string task_title;
  std::string task_description;
  double task_reward = 0;
  int max_num_concurrent_units = 0;
  int allowed_concurrent = 0;
  int maximum_units_per_worker = 0;
  int assignment_duration_in_seconds = 1800;
  // Seconds a live agent whose partner left may still take to submit.
  int submission_timeout = 600;
  // Seconds without any submission after which the run is presumed broken and shut down.
  int no_submission_patience = 43200;
  // Qualifications, block qualification and onboarding (docs/config.md).
  WorkerPoolRules worker_pool_rules;
  // The `monitoring` group: thresholds the run's quality alerts compare against.
  QualityMonitors monitoring;

  std::vector<nlohmann::json> rows;  // one per assignment

  // The page is a bundle.js built against mephisto-task (not an HTML template).
  bool UsesBundle() const { return blueprint_type != "static_task"; }
  // Agents of one assignment work together over websockets (waiting room, relayed updates).
  bool IsLive() const { return blueprint_type == "paired_chat"; }
};

// Overrides look like task.max_num_concurrent_units=5 (a leading "mephisto." is accepted,
// as in Mephisto's Hydra configs). Errors name the key and what is wrong with it.
Result<TaskRunSpec> LoadTaskRunSpec(const std::string& config_path,
                                    const std::vector<std::string>& overrides);

// The same, from an already parsed document (tests).
Result<TaskRunSpec> ResolveTaskRunSpec(YAML::Node config, const std::string& base_dir);

// task_config.json served to the browser (blueprint frontend args + mephisto_task_version,
// and the provider's args under "provider" when it has any).
nlohmann::json FrontendArgs(const TaskRunSpec& spec);

inline constexpr const char* kMephistoTaskVersion = "2.0.4";

}  // namespace throng::operator_

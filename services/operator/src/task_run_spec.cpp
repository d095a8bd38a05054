#include "task_run_spec.hpp"

#include <filesystem>

#include "task_config_schema.hpp"
#include "task_data_loader.hpp"
#include "throng/common/yaml_override.hpp"

namespace throng::operator_ {

namespace fs = std::filesystem;

namespace {

template <typename T>
Result<T> Read(const YAML::Node& group, const std::string& group_name, const std::string& key,
               const T& fallback) {
  if (!group || !group[key] || group[key].IsNull()) return fallback;
  try {
    return group[key].as<T>();
  } catch (const YAML::Exception&) {
    return Fail("config key " + group_name + "." + key + " has a value of the wrong type");
  }
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty()) return path;
  fs::path p(path);
  return (p.is_absolute() ? p : fs::path(base_dir) / p).lexically_normal().string();
}

}  // namespace

Result<TaskRunSpec> ResolveTaskRunSpec(YAML::Node config, const std::string& base_dir) {
  // Subscripting a scalar throws in yaml-cpp, so check the kind first.
  if (config.IsMap() && config["mephisto"] && config["mephisto"].IsMap()) {
    config = config["mephisto"];
  }
  if (!config.IsMap())
    return Fail("the task config must be a mapping with blueprint, provider and task");
  if (auto shape = CheckTaskConfigShape(config); !shape) return tl::unexpected(shape.error());
  TaskRunSpec spec;
  auto blueprint = config["blueprint"];
  auto provider = config["provider"];
  auto task = config["task"];
  if (!blueprint || !blueprint.IsMap()) return Fail("the task config has no 'blueprint' section");
  if (!task || !task.IsMap()) return Fail("the task config has no 'task' section");

#define THRONG_READ(var, group, name, key, fallback)  \
  do {                                                \
    auto value = Read(group, name, key, fallback);    \
    if (!value) return tl::unexpected(value.error()); \
    var = *value;                                     \
  } while (false)

  THRONG_READ(spec.blueprint_type, blueprint, "blueprint", "type", std::string());
  if (spec.blueprint_type.empty()) {
    THRONG_READ(spec.blueprint_type, blueprint, "blueprint", "_blueprint_type", std::string());
  }
  if (spec.blueprint_type != "static_task" && spec.blueprint_type != "static_react_task" &&
      spec.blueprint_type != "paired_chat") {
    return Fail("blueprint.type '" + spec.blueprint_type +
                "' is not supported; supported blueprints: static_task, static_react_task, "
                "paired_chat");
  }
  std::string task_source, data_csv, data_json, data_jsonl;
  THRONG_READ(task_source, blueprint, "blueprint", "task_source", std::string());
  THRONG_READ(data_csv, blueprint, "blueprint", "data_csv", std::string());
  THRONG_READ(data_json, blueprint, "blueprint", "data_json", std::string());
  THRONG_READ(data_jsonl, blueprint, "blueprint", "data_jsonl", std::string());
  THRONG_READ(spec.units_per_assignment, blueprint, "blueprint", "units_per_assignment", 1);
  if (task_source.empty()) {
    return Fail(
        "blueprint.task_source is required (static_task: the task's HTML template; "
        "static_react_task and paired_chat: the built bundle.js)");
  }
  spec.task_source = Resolve(base_dir, task_source);
  if (!fs::is_regular_file(spec.task_source)) {
    return Fail("blueprint.task_source '" + spec.task_source + "' is not a readable file");
  }
  int data_sources = !data_csv.empty() + !data_json.empty() + !data_jsonl.empty();
  if (data_sources != 1) {
    return Fail("set exactly one of blueprint.data_csv, blueprint.data_json, blueprint.data_jsonl");
  }
  spec.data_path = Resolve(base_dir, !data_csv.empty()    ? data_csv
                                     : !data_json.empty() ? data_json
                                                          : data_jsonl);
  if (spec.units_per_assignment < 1) return Fail("blueprint.units_per_assignment must be >= 1");
  if (spec.IsLive() && spec.units_per_assignment < 2) {
    return Fail("blueprint.units_per_assignment must be >= 2 for paired_chat (agents per chat)");
  }

  auto provider_spec = ParseProviderSpec(provider);
  if (!provider_spec) return tl::unexpected(provider_spec.error());
  spec.provider = std::move(*provider_spec);

  THRONG_READ(spec.public_url, config["architect"], "architect", "public_url", std::string());
  THRONG_READ(spec.task_name, task, "task", "task_name", spec.blueprint_type);
  THRONG_READ(spec.task_title, task, "task", "task_title", std::string());
  THRONG_READ(spec.task_description, task, "task", "task_description", std::string());
  THRONG_READ(spec.task_reward, task, "task", "task_reward", 0.0);
  THRONG_READ(spec.max_num_concurrent_units, task, "task", "max_num_concurrent_units", 0);
  THRONG_READ(spec.allowed_concurrent, task, "task", "allowed_concurrent", 0);
  THRONG_READ(spec.maximum_units_per_worker, task, "task", "maximum_units_per_worker", 0);
  THRONG_READ(spec.assignment_duration_in_seconds, task, "task", "assignment_duration_in_seconds",
              1800);
  THRONG_READ(spec.submission_timeout, task, "task", "submission_timeout", 600);
  THRONG_READ(spec.no_submission_patience, task, "task", "no_submission_patience", 43200);
#undef THRONG_READ
  if (spec.task_name.empty()) return Fail("task.task_name must not be empty");
  if (spec.max_num_concurrent_units < 0 || spec.allowed_concurrent < 0 ||
      spec.maximum_units_per_worker < 0) {
    return Fail(
        "task limits (max_num_concurrent_units, allowed_concurrent, "
        "maximum_units_per_worker) must be >= 0 (0 means no limit)");
  }
  if (spec.assignment_duration_in_seconds <= 0 || spec.submission_timeout <= 0 ||
      spec.no_submission_patience <= 0) {
    return Fail(
        "task timeouts (assignment_duration_in_seconds, submission_timeout, "
        "no_submission_patience) must be > 0 seconds");
  }
  auto worker_pool_rules = ParseWorkerPoolRules(blueprint, task);
  if (!worker_pool_rules) return tl::unexpected(worker_pool_rules.error());
  spec.worker_pool_rules = std::move(*worker_pool_rules);
  auto monitoring = ParseQualityMonitors(config["monitoring"]);
  if (!monitoring) return tl::unexpected(monitoring.error());
  spec.monitoring = *monitoring;

  auto rows = LoadTaskData(spec.data_path);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return Fail("task data file '" + spec.data_path + "' has no rows");
  spec.rows = std::move(*rows);

  YAML::Emitter emitter;
  emitter << config;
  spec.resolved_yaml = emitter.c_str();
  return spec;
}

Result<TaskRunSpec> LoadTaskRunSpec(const std::string& config_path,
                                    const std::vector<std::string>& overrides) {
  YAML::Node config;
  try {
    config = YAML::LoadFile(config_path);
  } catch (const YAML::BadFile&) {
    return Fail("cannot read task config '" + config_path + "'");
  } catch (const YAML::Exception& e) {
    return Fail("task config '" + config_path + "' is not valid YAML: " + e.what());
  }
  for (auto text : overrides) {
    if (text.rfind("mephisto.", 0) == 0) text = text.substr(9);
    auto applied = ApplyYamlOverride(config, text);
    if (!applied) return tl::unexpected(applied.error());
  }
  auto base_dir = fs::absolute(config_path).parent_path().string();
  auto spec = ResolveTaskRunSpec(config, base_dir);
  if (spec) spec->config_path = fs::absolute(config_path).string();
  return spec;
}

nlohmann::json FrontendArgs(const TaskRunSpec& spec) {
  auto args = nlohmann::json{{"task_title", spec.task_title},
                             {"task_description", spec.task_description},
                             {"frame_height", 0},
                             {"block_mobile", false},
                             {"template", spec.blueprint_type == "static_task"
                                              ? fs::path(spec.task_source).filename().string()
                                              : std::string()},
                             {"mephisto_task_version", kMephistoTaskVersion}};
  // What the provider's wrap_crowd_source.js needs, e.g. where to send a worker after submit.
  if (!spec.provider.frontend_args.is_null()) args["provider"] = spec.provider.frontend_args;
  return args;
}

}  // namespace throng::operator_

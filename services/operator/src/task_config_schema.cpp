#include "task_config_schema.hpp"

#include <algorithm>
#include <sstream>

#include "prolific_link_settings.hpp"
#include "provider_types.hpp"
#include "quality_monitors.hpp"
#include "yaml_to_json.hpp"

namespace throng::operator_ {

namespace {

using Type = ConfigValueType;

const std::vector<std::string> kValidatingBlueprints{"static_task", "static_react_task"};

std::string ProviderHelp(const std::string& name) {
  if (name == "mock") return "workers arrive with worker_id and assignment_id in the link";
  if (name == "inhouse") return "your own workers, with worker_id (or id) in the link";
  if (name == "prolific") {
    return "a Prolific study in link mode: participants come with their Prolific ids and are "
           "sent back with the completion code";
  }
  return "";
}

std::string Number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::vector<ConfigArgument> BuildArguments() {
  std::vector<ConfigArgument> arguments{
      // blueprint
      {"blueprint",
       "task_source",
       Type::kPath,
       "",
       "static_task: the task's HTML template; static_react_task and paired_chat: the built "
       "bundle.js (relative to the config file)",
       {},
       true,
       {}},
      {"blueprint",
       "data_csv",
       Type::kPath,
       "",
       "the units' data as CSV, a unit per row (set exactly one of data_csv, data_json, "
       "data_jsonl)",
       {},
       false,
       {}},
      {"blueprint", "data_json", Type::kPath, "", "the units' data as a JSON array", {}, false, {}},
      {"blueprint", "data_jsonl", Type::kPath, "", "the units' data as JSON lines", {}, false, {}},
      {"blueprint",
       "units_per_assignment",
       Type::kInteger,
       "1",
       "units per assignment (paired_chat: agents per chat, at least 2)",
       {},
       false,
       {}},
      {"blueprint",
       "block_qualification",
       Type::kString,
       "",
       "workers granted this qualification get no unit of this run (`throng review <run> block` "
       "grants it, with the requester's own block)",
       {},
       false,
       {}},
      {"blueprint",
       "onboarding_qualification",
       Type::kString,
       "",
       "onboarding: the qualification passing it grants (failing grants <name>-failed)",
       {},
       false,
       {}},
      {"blueprint",
       "onboarding_data",
       Type::kMapping,
       "",
       "onboarding: the onboarding page's init_task_data",
       {},
       false,
       {}},
      {"blueprint",
       "onboarding_answers",
       Type::kMapping,
       "",
       "onboarding: the answer key, each key's expected value in the submitted onboarding data "
       "(required with onboarding_qualification)",
       {},
       false,
       {}},
      {"blueprint",
       "use_screening_task",
       Type::kBoolean,
       "false",
       "give new workers screening units first (needs block_qualification, "
       "allowed_concurrent: 1 and units_per_assignment: 1)",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "passed_qualification_name",
       Type::kString,
       "",
       "screening: the qualification passing a screening unit grants",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "max_screening_units",
       Type::kInteger,
       "",
       "screening: how many screening units may be handed out in all",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "screening_units",
       Type::kList,
       "",
       "screening: the screening units, each {data, answers}",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "use_golds",
       Type::kBoolean,
       "false",
       "mix gold units with known answers into each worker's units (needs allowed_concurrent: 1 "
       "and units_per_assignment: 1)",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "gold_qualification_base",
       Type::kString,
       "",
       "golds: the base name of the qualifications that count a worker's golds",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "max_gold_units",
       Type::kInteger,
       "",
       "golds: how many gold units may be handed out in all",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "min_golds",
       Type::kInteger,
       "1",
       "golds: gold units a worker does before the first standard unit",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "max_incorrect_golds",
       Type::kInteger,
       "0",
       "golds: wrong gold answers a worker may give before being disqualified",
       {},
       false,
       kValidatingBlueprints},
      {"blueprint",
       "gold_units",
       Type::kList,
       "",
       "golds: the gold units, each {data, answers}",
       {},
       false,
       kValidatingBlueprints},
      // architect
      {"architect",
       "public_url",
       Type::kUrl,
       "",
       "where workers reach the routers (or their load balancer); the worker link `throng "
       "launch` prints starts with it (default: the CLI's launch.worker_url)",
       {},
       false,
       {}},
      // provider
      {"provider",
       "requester_name",
       Type::kString,
       "<type>_requester",
       "who publishes the run; a requester belongs to one provider",
       {},
       false,
       {}},
      {"provider",
       kProlificCompletionCodeKey,
       Type::kString,
       "",
       "the study's completion code, shown to Prolific when a participant has submitted",
       {},
       true,
       {"prolific"}},
      {"provider",
       kProlificCompletionUrlKey,
       Type::kUrl,
       kProlificDefaultCompletionUrl,
       "where participants are sent after submitting (with ?cc=<code>)",
       {},
       false,
       {"prolific"}},
      // task
      {"task",
       "task_name",
       Type::kString,
       "<blueprint type>",
       "groups runs of one task: maximum_units_per_worker counts across them, `throng export "
       "<task_name>` exports them together",
       {},
       false,
       {}},
      {"task", "task_title", Type::kString, "", "title shown to workers", {}, false, {}},
      {"task",
       "task_description",
       Type::kString,
       "",
       "description shown to workers",
       {},
       false,
       {}},
      {"task", "task_reward", Type::kNumber, "0", "pay per unit", {}, false, {}},
      {"task",
       "max_num_concurrent_units",
       Type::kInteger,
       "0",
       "units launched or assigned at once; 0: no cap",
       {},
       false,
       {}},
      {"task",
       "allowed_concurrent",
       Type::kInteger,
       "0",
       "units one worker may hold at once; 0: no limit",
       {},
       false,
       {}},
      {"task",
       "maximum_units_per_worker",
       Type::kInteger,
       "0",
       "units one worker may do under this task_name; 0: no limit",
       {},
       false,
       {}},
      {"task",
       "assignment_duration_in_seconds",
       Type::kInteger,
       "1800",
       "time an agent has to submit",
       {},
       false,
       {}},
      {"task",
       "submission_timeout",
       Type::kInteger,
       "600",
       "time a live agent whose partner left may still take to submit",
       {},
       false,
       {}},
      {"task",
       "no_submission_patience",
       Type::kInteger,
       "43200",
       "seconds without any submission after which the run is shut down",
       {},
       false,
       {}},
      {"task",
       "qualifications",
       Type::kList,
       "",
       "qualification requirements, each {qualification_name, comparator, value}",
       {},
       false,
       {}},
  };
  QualityMonitors defaults;
  for (const auto& setting : QualityMonitorSettings()) {
    arguments.push_back({"monitoring",
                         setting.key,
                         Type::kNumber,
                         Number(defaults.*(setting.field)),
                         std::string(setting.meaning) +
                             (setting.zero_allowed ? " (0 to 1)" : " (above 0, at most 1)"),
                         {},
                         false,
                         {}});
  }
  return arguments;
}

const std::vector<ConfigArgument>& AllArguments() {
  static const std::vector<ConfigArgument> arguments = BuildArguments();
  return arguments;
}

bool Applies(const ConfigArgument& argument, const std::string& kind) {
  return argument.kinds.empty() ||
         std::find(argument.kinds.begin(), argument.kinds.end(), kind) != argument.kinds.end();
}

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean task_name?)" when a known name is one or two edits away.
std::string Suggestion(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : known) {
    auto distance = EditDistance(name, candidate);
    if (distance < best_distance) best_distance = distance, best = candidate;
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

std::string Joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string WutHint(const ConfigGroup& group, const std::string& kind) {
  return "`throng wut " + group.name + (kind.empty() ? "" : "=" + kind) + "` lists them";
}

Result<void> CheckValue(const ConfigArgument& argument, const YAML::Node& node) {
  if (node.IsNull()) return {};  // an empty value keeps the default
  auto key = argument.group + "." + argument.name;
  auto shown = [&] {
    if (node.IsMap()) return std::string("a mapping");
    if (node.IsSequence()) return std::string("a list");
    return "'" + node.Scalar().substr(0, 64) + "'";
  };
  auto wrong = [&](const std::string& expected) {
    return Fail(key + " must be " + expected + ", not " + shown());
  };
  switch (argument.type) {
    case Type::kMapping:
      return node.IsMap() ? Result<void>{} : wrong("a mapping");
    case Type::kList:
      return node.IsSequence() ? Result<void>{} : wrong("a list");
    default:
      break;
  }
  if (!node.IsScalar())
    return wrong("a single value (" + std::string(ConfigValueTypeName(argument.type)) + ")");
  auto value = YamlToJson(node);
  switch (argument.type) {
    case Type::kInteger:
      if (!value.is_number_integer()) return wrong("an integer");
      break;
    case Type::kNumber:
      if (!value.is_number()) return wrong("a number");
      break;
    case Type::kBoolean:
      if (!value.is_boolean()) return wrong("true or false");
      break;
    case Type::kUrl:
      if (node.Scalar().rfind("http://", 0) != 0 && node.Scalar().rfind("https://", 0) != 0) {
        return wrong("an http:// or https:// URL");
      }
      break;
    default:
      break;
  }
  if (!argument.choices.empty() && std::find(argument.choices.begin(), argument.choices.end(),
                                             node.Scalar()) == argument.choices.end()) {
    return wrong("one of " + Joined(argument.choices));
  }
  return {};
}

Result<void> CheckGroup(const ConfigGroup& group, const YAML::Node& node) {
  if (!node.IsMap()) {
    return Fail("the task config's '" + group.name + "' section must be a mapping (" +
                WutHint(group, "") + ")");
  }
  std::string kind;
  if (!group.kinds.empty()) {
    for (const auto& type_key : {std::string("type"), group.mephisto_type_key}) {
      if (kind.empty() && node[type_key] && !node[type_key].IsNull()) {
        if (!node[type_key].IsScalar())
          return Fail(group.name + "." + type_key + " must be a name");
        kind = node[type_key].Scalar();
      }
    }
    if (kind.empty()) kind = group.default_kind;
    std::vector<std::string> kinds;
    for (const auto& [name, help] : group.kinds) kinds.push_back(name);
    if (kind.empty()) {
      return Fail(group.name + ".type is required; supported " + group.name +
                  "s: " + Joined(kinds));
    }
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      return Fail(group.name + ".type '" + kind + "' is not supported; supported " + group.name +
                  "s: " + Joined(kinds) + Suggestion(kind, kinds));
    }
  }
  auto arguments = ConfigArgumentsOf(group.name, kind);
  std::vector<std::string> known;
  for (const auto& argument : arguments) known.push_back(argument.name);
  for (const auto& entry : node) {
    auto key = entry.first.Scalar();
    if (!group.kinds.empty() && (key == "type" || key == group.mephisto_type_key)) continue;
    auto found = std::find_if(arguments.begin(), arguments.end(),
                              [&](const ConfigArgument& a) { return a.name == key; });
    if (found == arguments.end()) {
      std::string of = group.kinds.empty() ? "" : " '" + kind + "'";
      return Fail(group.name + "." + key + " is not a setting of " + group.name + of +
                  Suggestion(key, known) + "; its settings: " + Joined(known) + " (" +
                  WutHint(group, kind) + ")");
    }
    if (auto ok = CheckValue(*found, entry.second); !ok) return ok;
  }
  return {};
}

}  // namespace

const char* ConfigValueTypeName(ConfigValueType type) {
  switch (type) {
    case Type::kType:
      return "type";
    case Type::kString:
      return "string";
    case Type::kPath:
      return "path";
    case Type::kUrl:
      return "url";
    case Type::kInteger:
      return "integer";
    case Type::kNumber:
      return "number";
    case Type::kBoolean:
      return "boolean";
    case Type::kMapping:
      return "mapping";
    case Type::kList:
      return "list";
  }
  return "value";
}

const std::vector<ConfigGroup>& TaskConfigGroups() {
  static const std::vector<ConfigGroup> groups = [] {
    std::vector<std::pair<std::string, std::string>> providers;
    for (const auto& type : ProviderTypes())
      providers.emplace_back(type.name, ProviderHelp(type.name));
    return std::vector<ConfigGroup>{
        {"blueprint",
         "what workers see and do: the page, the units' data, onboarding, screening, golds",
         {{"static_task", "an HTML template filled with each unit's data"},
          {"static_react_task", "a React page built against the npm package mephisto-task"},
          {"paired_chat", "agents of one assignment chat live over websockets"}},
         "",
         "_blueprint_type"},
        {"architect",
         "where the run is served",
         {{"router", "throng's routers (one or many behind a load balancer) serve every run"}},
         "router",
         "_architect_type"},
        {"provider", "where workers come from", providers, "mock", "_provider_type"},
        {"task", "the run's name, reward, limits and timeouts", {}, "", ""},
        {"monitoring", "quality thresholds the run's alerts compare against", {}, "", ""},
    };
  }();
  return groups;
}

const ConfigGroup* FindConfigGroup(const std::string& name) {
  for (const auto& group : TaskConfigGroups()) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

std::vector<ConfigArgument> ConfigArgumentsOf(const std::string& group_name,
                                              const std::string& kind) {
  std::vector<ConfigArgument> arguments;
  const auto* group = FindConfigGroup(group_name);
  if (!group) return arguments;
  if (!group->kinds.empty()) {
    ConfigArgument type{group->name,
                        "type",
                        Type::kType,
                        group->default_kind,
                        "the kind of " + group->name + " (also " + group->mephisto_type_key + ")",
                        {},
                        group->default_kind.empty(),
                        {}};
    for (const auto& [name, help] : group->kinds) type.choices.push_back(name);
    arguments.push_back(std::move(type));
  }
  for (const auto& argument : AllArguments()) {
    if (argument.group == group_name && (group->kinds.empty() || Applies(argument, kind))) {
      arguments.push_back(argument);
    }
  }
  return arguments;
}

Result<void> CheckTaskConfigShape(const YAML::Node& config) {
  std::vector<std::string> names;
  for (const auto& group : TaskConfigGroups()) names.push_back(group.name);
  for (const auto& entry : config) {
    auto name = entry.first.Scalar();
    if (!FindConfigGroup(name)) {
      return Fail("the task config has an unknown section '" + name + "'" +
                  Suggestion(name, names) + "; its sections: " + Joined(names) +
                  " (`throng wut` lists them)");
    }
  }
  for (const auto& group : TaskConfigGroups()) {
    auto node = config[group.name];
    if (!node || node.IsNull()) continue;
    if (auto ok = CheckGroup(group, node); !ok) return ok;
  }
  return {};
}

}  // namespace throng::operator_

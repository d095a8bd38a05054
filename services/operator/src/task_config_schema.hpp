#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// Every key a task config may hold, with its type, default and meaning: what `throng launch`
// checks a config against (unknown keys and wrong types are errors naming the key and what it
// accepts) and what `throng wut` prints, so the two cannot drift apart.

enum class ConfigValueType {
  kType,
  kString,
  kPath,
  kUrl,
  kInteger,
  kNumber,
  kBoolean,
  kMapping,
  kList
};

// "integer", "mapping", ...: the type's name in `throng wut` and in error messages.
const char* ConfigValueTypeName(ConfigValueType type);

// A top-level group of the config (Mephisto's abstractions plus `monitoring`).
struct ConfigGroup {
  std::string name;  // blueprint | architect | provider | task | monitoring
  std::string help;
  // The kinds the group's `type` key chooses between (empty: the group has no type), each with
  // a line of help, and the kind used when `type` is absent ("" : `type` is required).
  std::vector<std::pair<std::string, std::string>> kinds;
  std::string default_kind;
  // Mephisto's spelling of the type key (_blueprint_type), accepted as well.
  std::string mephisto_type_key;
};

struct ConfigArgument {
  std::string group;
  std::string name;
  ConfigValueType type;
  std::string default_value;  // as written in YAML; "" when there is none
  std::string help;
  std::vector<std::string> choices;  // accepted values, when only some are
  bool required = false;
  // The group's kinds the key belongs to (empty: every kind).
  std::vector<std::string> kinds;
};

const std::vector<ConfigGroup>& TaskConfigGroups();
const ConfigGroup* FindConfigGroup(const std::string& name);

// The keys of `group` for its kind `kind` (ignored for groups without kinds), `type` first.
std::vector<ConfigArgument> ConfigArgumentsOf(const std::string& group, const std::string& kind);

// Checks a config's shape: known groups, each a mapping; a supported type for each group with
// kinds; every key known for that kind; values of the right type and among the choices.
// Meaning (a file that exists, limits that fit together) is checked where the value is read.
Result<void> CheckTaskConfigShape(const YAML::Node& config);

}  // namespace throng::operator_

#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// The provider group of a task config, checked against its ProviderType (provider_types.hpp).
struct ProviderSpec {
  std::string type = "mock";   // provider.type (also accepted as Mephisto's _provider_type)
  std::string requester_name;  // default "<type>_requester"
  std::string glue;            // its ProviderType's glue: frontend/providers/<glue>
  // What task_config.json carries under "provider" (null: no such key).
  nlohmann::json frontend_args;
};

// Reads the provider group (absent: the mock provider). Errors name the key and what it
// accepts: an unknown type lists the supported ones, an unknown key the type's keys.
Result<ProviderSpec> ParseProviderSpec(const YAML::Node& provider);

}  // namespace throng::operator_

#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// A crowd provider a run can be published on: which browser glue its page gets and which
// settings its task config takes. Adding one (MTurk, say) is a row in ProviderTypes(), a
// settings reader and a frontend/providers/<glue>/wrap_crowd_source.js.
struct ProviderType {
  std::string name;  // provider.type
  // The embedded frontend group "providers/<glue>" holding its wrap_crowd_source.js.
  std::string glue;
  // Its own keys of the provider group, besides type and requester_name.
  std::vector<std::string> settings;
  // Checks those keys; returns what the run's task_config.json carries under "provider"
  // (null: nothing, so the page needs nothing from the provider's settings).
  Result<nlohmann::json> (*read_settings)(const YAML::Node& provider);
};

// Every supported provider, in the order error messages list them.
const std::vector<ProviderType>& ProviderTypes();

// nullptr when no provider has that name.
const ProviderType* FindProviderType(const std::string& name);

// "mock, inhouse, prolific", for error messages.
std::string ProviderTypeNames();

}  // namespace throng::operator_

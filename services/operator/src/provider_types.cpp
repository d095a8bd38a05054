#include "provider_types.hpp"

#include "prolific_link_settings.hpp"

namespace throng::operator_ {

namespace {

// Mock and in-house workers come with ids in the URL and nothing to return to.
Result<nlohmann::json> NoSettings(const YAML::Node&) { return nlohmann::json(); }

}  // namespace

const std::vector<ProviderType>& ProviderTypes() {
  static const std::vector<ProviderType> types{
      {"mock", "mock", {}, NoSettings},
      {"inhouse", "mock", {}, NoSettings},
      {"prolific",
       "prolific",
       {kProlificCompletionCodeKey, kProlificCompletionUrlKey},
       ReadProlificLinkSettings},
  };
  return types;
}

const ProviderType* FindProviderType(const std::string& name) {
  for (const auto& type : ProviderTypes()) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::string ProviderTypeNames() {
  std::string names;
  for (const auto& type : ProviderTypes()) {
    names += (names.empty() ? "" : ", ") + type.name;
  }
  return names;
}

}  // namespace throng::operator_

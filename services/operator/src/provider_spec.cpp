#include "provider_spec.hpp"

#include <algorithm>

#include "provider_types.hpp"

namespace throng::operator_ {

namespace {

Result<std::string> Text(const YAML::Node& provider, const std::string& key,
                         const std::string& fallback) {
  auto node = provider[key];
  if (!node || node.IsNull()) return fallback;
  if (!node.IsScalar()) return Fail("config key provider." + key + " must be a single value");
  return node.Scalar();
}

}  // namespace

Result<ProviderSpec> ParseProviderSpec(const YAML::Node& provider) {
  ProviderSpec spec;
  if (provider && !provider.IsNull() && !provider.IsMap()) {
    return Fail("the task config's 'provider' section must be a mapping");
  }
  const YAML::Node group =
      provider && provider.IsMap() ? provider : YAML::Node(YAML::NodeType::Map);
  auto type = Text(group, "type", "");
  if (!type) return tl::unexpected(type.error());
  if (type->empty()) type = Text(group, "_provider_type", "mock");
  if (!type) return tl::unexpected(type.error());
  const auto* kind = FindProviderType(*type);
  if (!kind) {
    return Fail("provider.type '" + *type +
                "' is not supported; supported providers: " + ProviderTypeNames());
  }
  spec.type = kind->name;
  spec.glue = kind->glue;

  std::vector<std::string> accepted{"type", "_provider_type", "requester_name"};
  accepted.insert(accepted.end(), kind->settings.begin(), kind->settings.end());
  for (const auto& entry : group) {
    auto key = entry.first.Scalar();
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
      std::string listed;
      for (const auto& name : accepted) {
        if (name != "_provider_type") listed += (listed.empty() ? "" : ", ") + name;
      }
      return Fail("provider." + key + " is not a setting of provider '" + spec.type +
                  "'; its settings: " + listed);
    }
  }

  auto requester = Text(group, "requester_name", spec.type + "_requester");
  if (!requester) return tl::unexpected(requester.error());
  if (requester->empty()) return Fail("provider.requester_name must not be empty");
  spec.requester_name = *requester;

  auto frontend_args = kind->read_settings(group);
  if (!frontend_args) return tl::unexpected(frontend_args.error());
  spec.frontend_args = std::move(*frontend_args);
  return spec;
}

}  // namespace throng::operator_

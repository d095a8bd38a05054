#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "throng/common/error.hpp"

namespace throng {

// Applies one "dotted.key=value" override to a YAML document, creating maps on the way.
// The value is parsed as YAML, so "3" becomes a number and "[a, b]" a list.
Result<void> ApplyYamlOverride(YAML::Node& root, const std::string& override_text);

}  // namespace throng

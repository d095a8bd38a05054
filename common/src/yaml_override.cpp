#include "throng/common/yaml_override.hpp"

#include <sstream>
#include <vector>

namespace throng {

Result<void> ApplyYamlOverride(YAML::Node& root, const std::string& override_text) {
  auto equals = override_text.find('=');
  if (equals == std::string::npos || equals == 0) {
    return Fail("override '" + override_text + "' must look like key.path=value");
  }
  std::string path = override_text.substr(0, equals);
  std::string value_text = override_text.substr(equals + 1);

  std::vector<std::string> keys;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) {
    if (part.empty()) return Fail("override '" + override_text + "' has an empty key segment");
    keys.push_back(part);
  }

  YAML::Node value;
  try {
    value = value_text.empty() ? YAML::Node(std::string()) : YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    return Fail("override '" + override_text + "' has an invalid value: " + e.what());
  }

  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  // yaml-cpp nodes are handles: walking with copies still edits the shared document.
  YAML::Node node = root;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    if (!node.IsMap()) {
      return Fail("override '" + override_text + "': a parent of the key is not a mapping");
    }
    YAML::Node child = node[keys[i]];
    if (!child || child.IsNull()) {
      node[keys[i]] = YAML::Node(YAML::NodeType::Map);
      child = node[keys[i]];
    } else if (!child.IsMap()) {
      return Fail("override '" + override_text + "': '" + keys[i] + "' is not a mapping");
    }
    node.reset(child);
  }
  if (!node.IsMap()) return Fail("override '" + override_text + "': parent is not a mapping");
  node[keys.back()] = value;
  return {};
}

}  // namespace throng

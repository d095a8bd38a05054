#include "yaml_to_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <string>

namespace throng::operator_ {

namespace {

using nlohmann::json;

json PlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  static const std::regex integer("[-+]?[0-9]+");
  static const std::regex real("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(text, integer)) {
    const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
    long long value = 0;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
    // Too large for 64 bits: keep it as a float rather than losing it.
  }
  if (std::regex_match(text, real)) {
    double value = std::strtod(text.c_str(), nullptr);
    if (std::isfinite(value)) return value;  // JSON has no infinity: keep 1e999 as text
  }
  return text;
}

}  // namespace

json YamlToJson(const YAML::Node& node) {
  if (!node || node.IsNull()) return nullptr;
  if (node.IsSequence()) {
    json array = json::array();
    for (const auto& item : node) array.push_back(YamlToJson(item));
    return array;
  }
  if (node.IsMap()) {
    json object = json::object();
    for (const auto& item : node) object[item.first.as<std::string>()] = YamlToJson(item.second);
    return object;
  }
  const auto& text = node.Scalar();
  // "!" marks a quoted or block scalar, and an explicit !!str is a string too.
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;
  return PlainScalar(text);
}

}  // namespace throng::operator_

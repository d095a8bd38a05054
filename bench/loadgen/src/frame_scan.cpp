#include "frame_scan.hpp"

#include <string>

namespace throng::loadgen {

std::optional<std::string_view> StringField(std::string_view json, std::string_view key) {
  std::string needle;
  needle.reserve(key.size() + 4);
  needle.append("\"").append(key).append("\":\"");
  auto at = json.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  auto begin = at + needle.size();
  for (auto i = begin; i < json.size(); ++i) {
    if (json[i] == '\\') {
      ++i;
    } else if (json[i] == '"') {
      return json.substr(begin, i - begin);
    }
  }
  return std::nullopt;
}

}  // namespace throng::loadgen

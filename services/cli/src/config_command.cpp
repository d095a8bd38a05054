#include "config_command.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>

namespace throng::cli {

namespace {

using nlohmann::json;

json Entry(const UserConfig& config, const UserConfigKey& key) {
  auto value = config.Find(key.key);
  return {{"key", key.key},
          {"value", value ? *value : std::string(key.fallback)},
          {"source", value ? "file" : "default"},
          {"help", key.help}};
}

}  // namespace

int ConfigGet(const UserConfig& config, const std::string& key, bool as_json, std::ostream& out,
              std::ostream& err) {
  const auto* known = FindUserConfigKey(key);
  if (!known) {
    err << "throng: '" << key << "' is not a user config key; the keys: " << UserConfigKeyNames()
        << "\n";
    return 1;
  }
  auto entry = Entry(config, *known);
  if (as_json) {
    entry["file"] = config.Path().string();
    out << entry.dump() << "\n";
  } else {
    out << entry["value"].get<std::string>() << "\n";
  }
  return 0;
}

int ConfigSet(UserConfig& config, const std::string& key, const std::string& value, bool as_json,
              std::ostream& out, std::ostream& err) {
  auto old = config.Find(key);
  if (auto ok = config.Set(key, value); !ok) {
    err << "throng: " << ok.error().message << "\n";
    return 1;
  }
  if (as_json) {
    out << json{{"key", key},
                {"value", value},
                {"old", old ? json(*old) : json()},
                {"file", config.Path().string()}}
               .dump()
        << "\n";
  } else {
    out << key << " = " << value << " (in " << config.Path().string() << ")\n";
  }
  return 0;
}

int ConfigList(const UserConfig& config, bool as_json, std::ostream& out) {
  json entries = json::array();
  for (const auto& key : UserConfigKeys()) entries.push_back(Entry(config, key));
  if (as_json) {
    out << json{{"file", config.Path().string()}, {"keys", entries}}.dump() << "\n";
    return 0;
  }
  out << "user config: " << config.Path().string() << "\n";
  for (const auto& entry : entries) {
    auto value = entry["value"].get<std::string>();
    out << "  " << std::left << std::setw(20) << entry["key"].get<std::string>()
        << (value.empty() ? "(computed)" : value)
        << (entry["source"] == "default" ? "  [default]" : "") << "\n"
        << "  " << std::setw(20) << "" << entry["help"].get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace throng::cli

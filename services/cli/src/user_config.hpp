#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::cli {

// The requester's own defaults for the CLI (as Mephisto's ~/.mephisto/config.yml), kept in a
// YAML file of sections: `database: {pg_dsn: ...}`. They apply when neither an option, the
// environment nor --config names the setting.
struct UserConfigKey {
  const char* key;       // section.key
  const char* fallback;  // the built-in default ("" when computed, e.g. from $HOME)
  const char* help;
  // Checks a value given to `throng config set`; the error names the key and what it accepts.
  Result<void> (*check)(const std::string& key, const std::string& value);
};

const std::vector<UserConfigKey>& UserConfigKeys();
const UserConfigKey* FindUserConfigKey(const std::string& key);
// "database.pg_dsn, launch.data_dir, ...", for messages.
std::string UserConfigKeyNames();

class UserConfig {
 public:
  // $THRONG_USER_CONFIG, else $XDG_CONFIG_HOME/throng/config.yml, else
  // ~/.config/throng/config.yml (the environment is passed in for tests).
  static Result<std::filesystem::path> DefaultPath(const char* explicit_path,
                                                   const char* xdg_config_home, const char* home);
  // A missing file is an empty config; an unreadable or malformed one is an error.
  static Result<UserConfig> Load(const std::filesystem::path& path);

  const std::filesystem::path& Path() const { return path_; }
  // The value the file sets for section.key, if any.
  std::optional<std::string> Find(const std::string& key) const;
  // Checks and sets the value, then rewrites the file through a temporary file and a rename.
  Result<void> Set(const std::string& key, const std::string& value);

 private:
  std::filesystem::path path_;
  YAML::Node document_;
};

}  // namespace throng::cli

#include "user_config.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace throng::cli {

namespace fs = std::filesystem;

namespace {

Result<void> NonEmpty(const std::string& key, const std::string& value) {
  if (value.empty()) return Fail(key + " must not be empty");
  return {};
}

Result<void> Dsn(const std::string& key, const std::string& value) {
  if (value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0 ||
      value.find('=') != std::string::npos) {
    return {};
  }
  return Fail(key + " must be a PostgreSQL connection string (postgresql://user@host:port/db or " +
              "host=... dbname=...), not '" + value + "'");
}

Result<void> HttpUrl(const std::string& key, const std::string& value) {
  if ((value.rfind("http://", 0) == 0 || value.rfind("https://", 0) == 0) &&
      value.find_first_of(" ?#") == std::string::npos) {
    return {};
  }
  return Fail(key + " must be an http:// or https:// URL without query or fragment, not '" + value +
              "'");
}

Result<void> AbsolutePath(const std::string& key, const std::string& value) {
  if (fs::path(value).is_absolute()) return {};
  return Fail(key + " must be an absolute path, not '" + value + "'");
}

std::pair<std::string, std::string> Split(const std::string& key) {
  auto dot = key.find('.');
  return {key.substr(0, dot), key.substr(dot + 1)};
}

}  // namespace

const std::vector<UserConfigKey>& UserConfigKeys() {
  static const std::vector<UserConfigKey> keys{
      {"database.pg_dsn", "postgresql://throng@127.0.0.1:55432/throng",
       "the PostgreSQL of the runs (--pg-dsn and THRONG_PG_DSN win)", Dsn},
      {"launch.data_dir", "data", "where `throng launch` writes run frontends (--data-dir wins)",
       NonEmpty},
      {"launch.worker_url", "http://localhost:3000",
       "where workers reach the routers: the start of the worker link `throng launch` prints "
       "(a run's architect.public_url and --worker-url win)",
       HttpUrl},
      {"metrics.dir", "",
       "where `throng metrics` keeps its setup (default $XDG_DATA_HOME/throng/metrics; --dir "
       "wins)",
       AbsolutePath},
  };
  return keys;
}

const UserConfigKey* FindUserConfigKey(const std::string& key) {
  for (const auto& known : UserConfigKeys()) {
    if (key == known.key) return &known;
  }
  return nullptr;
}

std::string UserConfigKeyNames() {
  std::string names;
  for (const auto& known : UserConfigKeys())
    names += (names.empty() ? "" : ", ") + std::string(known.key);
  return names;
}

Result<fs::path> UserConfig::DefaultPath(const char* explicit_path, const char* xdg_config_home,
                                         const char* home) {
  if (explicit_path && *explicit_path) return fs::absolute(explicit_path).lexically_normal();
  // The XDG base directory spec says to ignore a relative XDG_CONFIG_HOME.
  if (xdg_config_home && fs::path(xdg_config_home).is_absolute()) {
    return fs::path(xdg_config_home) / "throng" / "config.yml";
  }
  if (home && fs::path(home).is_absolute()) {
    return fs::path(home) / ".config" / "throng" / "config.yml";
  }
  return Fail("neither THRONG_USER_CONFIG, XDG_CONFIG_HOME nor HOME says where the user config is");
}

Result<UserConfig> UserConfig::Load(const fs::path& path) {
  UserConfig config;
  config.path_ = path;
  std::error_code error;
  if (!fs::exists(path, error)) {
    config.document_ = YAML::Node(YAML::NodeType::Map);
    return config;
  }
  try {
    config.document_ = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    return Fail("cannot read the user config '" + path.string() + "'");
  } catch (const YAML::Exception& e) {
    return Fail("the user config '" + path.string() + "' is not valid YAML: " + e.what());
  }
  if (config.document_.IsNull()) config.document_ = YAML::Node(YAML::NodeType::Map);
  if (!config.document_.IsMap()) {
    return Fail("the user config '" + path.string() +
                "' must be a mapping of sections (database:, launch:, metrics:)");
  }
  return config;
}

std::optional<std::string> UserConfig::Find(const std::string& key) const {
  auto [section, name] = Split(key);
  const YAML::Node& document = document_;
  auto group = document[section];
  if (!group || !group.IsMap()) return std::nullopt;
  auto value = group[name];
  if (!value || !value.IsScalar()) return std::nullopt;
  return value.Scalar();
}

Result<void> UserConfig::Set(const std::string& key, const std::string& value) {
  const auto* known = FindUserConfigKey(key);
  if (!known) {
    return Fail("'" + key + "' is not a user config key; the keys: " + UserConfigKeyNames());
  }
  if (auto ok = known->check(key, value); !ok) return ok;
  auto [section, name] = Split(key);
  if (document_[section] && !document_[section].IsMap()) {
    return Fail("the user config '" + path_.string() + "' has a '" + section +
                "' that is not a mapping; fix or remove it first");
  }
  document_[section][name] = value;

  std::error_code error;
  fs::create_directories(path_.parent_path(), error);
  if (error) {
    return Fail("cannot create '" + path_.parent_path().string() + "' (" + error.message() + ")");
  }
  auto tmp = path_.string() + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    YAML::Emitter emitter;
    emitter << document_;
    file << emitter.c_str() << "\n";
    if (!file.flush()) {
      std::remove(tmp.c_str());
      return Fail("cannot write '" + tmp + "' (" + std::strerror(errno) + ")");
    }
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    auto why = std::string(std::strerror(errno));
    std::remove(tmp.c_str());
    return Fail("cannot replace '" + path_.string() + "' (" + why + ")");
  }
  return {};
}

}  // namespace throng::cli

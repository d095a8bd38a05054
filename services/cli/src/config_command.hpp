#pragma once

#include <ostream>
#include <string>

#include "user_config.hpp"

namespace throng::cli {

// `throng config get <key>`: the value the user config sets, else the built-in default (an
// empty line when that is computed); `--json` says which. 1 for an unknown key.
int ConfigGet(const UserConfig& config, const std::string& key, bool as_json, std::ostream& out,
              std::ostream& err);
// `throng config set <key> <value>`: checks and writes it. 1 for an unknown key, a value it
// does not accept or a file it cannot write.
int ConfigSet(UserConfig& config, const std::string& key, const std::string& value, bool as_json,
              std::ostream& out, std::ostream& err);
// `throng config list`: every key with its value, where it comes from and what it means.
int ConfigList(const UserConfig& config, bool as_json, std::ostream& out);

}  // namespace throng::cli

#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace throng::cli {

// `throng wut [<group>[=<type>]] [<arg>...]`: the task config's groups, a group's types, or a
// table of a group's arguments (name, type, default, required, choices, whether `throng set`
// changes it live, help), read from the definitions `throng launch` validates against. <arg>
// names keep only those rows. 0, or 2 for an unknown group, type or argument (naming the known
// ones).
int Wut(const std::optional<std::string>& abstraction, const std::vector<std::string>& names,
        bool as_json, std::ostream& out, std::ostream& err);

}  // namespace throng::cli

#include "wut_command.hpp"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "run_settings.hpp"
#include "task_config_schema.hpp"

namespace throng::cli {

namespace {

using nlohmann::json;
using operator_::ConfigArgument;
using operator_::ConfigGroup;

std::string Joined(const std::vector<std::string>& names, const char* separator = ", ") {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : separator) + name;
  return text;
}

std::string KindNames(const ConfigGroup& group) {
  std::vector<std::string> names;
  for (const auto& [name, help] : group.kinds) names.push_back(name);
  return Joined(names);
}

// Whether `throng set <run>` changes the argument while the run is live.
bool Live(const ConfigArgument& argument) {
  auto name = argument.group == "task" ? argument.name : argument.group + "." + argument.name;
  const auto& live = operator_::LiveRunSettings();
  return std::any_of(live.begin(), live.end(), [&](const auto& s) { return s.name == name; });
}

void PrintGroups(bool as_json, std::ostream& out) {
  if (as_json) {
    json groups = json::array();
    for (const auto& group : operator_::TaskConfigGroups()) {
      json types = json::array();
      for (const auto& [name, help] : group.kinds)
        types.push_back({{"name", name}, {"help", help}});
      groups.push_back({{"group", group.name},
                        {"help", group.help},
                        {"types", types},
                        {"default_type", group.default_kind}});
    }
    out << groups.dump() << "\n";
    return;
  }
  out << "A task config has these groups (`throng wut <group>[=<type>]` lists their arguments):\n";
  for (const auto& group : operator_::TaskConfigGroups()) {
    out << "  " << std::left << std::setw(12) << group.name << group.help << "\n";
    if (!group.kinds.empty()) {
      out << "  " << std::setw(12) << ""
          << "types: " << KindNames(group)
          << (group.default_kind.empty() ? " (required)" : " (default " + group.default_kind + ")")
          << "\n";
    }
  }
}

void PrintKinds(const ConfigGroup& group, bool as_json, std::ostream& out) {
  if (as_json) {
    json types = json::array();
    for (const auto& [name, help] : group.kinds) types.push_back({{"name", name}, {"help", help}});
    out << types.dump() << "\n";
    return;
  }
  out << group.name << " types (`throng wut " << group.name << "=<type>` lists its arguments):\n";
  for (const auto& [name, help] : group.kinds) {
    out << "  " << std::left << std::setw(20) << name << help
        << (name == group.default_kind ? " (default)" : "") << "\n";
  }
}

void PrintArguments(const std::vector<ConfigArgument>& arguments, bool as_json, std::ostream& out) {
  if (as_json) {
    json rows = json::array();
    for (const auto& a : arguments) {
      rows.push_back({{"group", a.group},
                      {"name", a.name},
                      {"type", operator_::ConfigValueTypeName(a.type)},
                      {"default", a.default_value.empty() ? json() : json(a.default_value)},
                      {"required", a.required},
                      {"choices", a.choices},
                      {"live", Live(a)},
                      {"help", a.help}});
    }
    out << rows.dump() << "\n";
    return;
  }
  std::vector<std::string> headers{"NAME", "TYPE", "DEFAULT", "REQUIRED", "CHOICES", "LIVE"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& a : arguments) {
    cells.push_back({a.name, operator_::ConfigValueTypeName(a.type), a.default_value,
                     a.required ? "yes" : "", Joined(a.choices, "|"), Live(a) ? "yes" : ""});
  }
  std::vector<std::size_t> widths;
  for (const auto& header : headers) widths.push_back(header.size());
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row, const std::string& help) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out << std::left << std::setw(static_cast<int>(widths[c]) + 2) << row[c];
    }
    out << help << "\n";
  };
  print_row(headers, "HELP");
  for (std::size_t r = 0; r < cells.size(); ++r) print_row(cells[r], arguments[r].help);
}

}  // namespace

int Wut(const std::optional<std::string>& abstraction, const std::vector<std::string>& names,
        bool as_json, std::ostream& out, std::ostream& err) {
  if (!abstraction) {
    PrintGroups(as_json, out);
    return 0;
  }
  auto equals = abstraction->find('=');
  auto group_name = abstraction->substr(0, equals);
  const auto* group = operator_::FindConfigGroup(group_name);
  if (!group) {
    std::vector<std::string> known;
    for (const auto& g : operator_::TaskConfigGroups()) known.push_back(g.name);
    err << "throng: '" << group_name
        << "' is not a task config group; the groups: " << Joined(known) << "\n";
    return 2;
  }
  std::string kind;
  if (equals != std::string::npos) {
    kind = abstraction->substr(equals + 1);
    if (group->kinds.empty()) {
      err << "throng: the " << group->name << " group has no types; run `throng wut " << group->name
          << "`\n";
      return 2;
    }
    auto known = std::any_of(group->kinds.begin(), group->kinds.end(),
                             [&](const auto& k) { return k.first == kind; });
    if (!known) {
      err << "throng: '" << kind << "' is not a " << group->name
          << " type; the types: " << KindNames(*group) << "\n";
      return 2;
    }
  } else if (!group->kinds.empty()) {
    if (!names.empty()) {
      err << "throng: name a " << group->name << " type to list its arguments, e.g. `throng wut "
          << group->name << "=" << group->kinds.front().first << "`\n";
      return 2;
    }
    PrintKinds(*group, as_json, out);
    return 0;
  }
  auto arguments = operator_::ConfigArgumentsOf(group->name, kind);
  if (!names.empty()) {
    std::vector<std::string> known;
    for (const auto& a : arguments) known.push_back(a.name);
    for (const auto& name : names) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        err << "throng: " << group->name << (kind.empty() ? "" : "=" + kind) << " has no argument '"
            << name << "'; its arguments: " << Joined(known) << "\n";
        return 2;
      }
    }
    std::erase_if(arguments, [&](const ConfigArgument& a) {
      return std::find(names.begin(), names.end(), a.name) == names.end();
    });
  }
  PrintArguments(arguments, as_json, out);
  return 0;
}

}  // namespace throng::cli

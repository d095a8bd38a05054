#include "command_options.hpp"

#include <algorithm>
#include <string_view>

namespace throng::cli {

namespace {

// Options that belong to some commands only (--json, --config, --pg-dsn and --data-dir go with
// every command that reads the database). --format has a default, so it counts when changed.
constexpr const char* kCommandOptions[] = {"--run",
                                           "--out",
                                           "--output",
                                           "--all",
                                           "--dir",
                                           "--aggregator",
                                           "--note",
                                           "--wait",
                                           "--force",
                                           "--dry-run",
                                           "--task",
                                           "--interval",
                                           "--prometheus-port",
                                           "--grafana-port",
                                           "--format"};

bool Given(const docopt::value& value, std::string_view name) {
  if (value.isBool()) return value.asBool();
  if (value.isStringList()) return !value.asStringList().empty();
  if (value.isString()) return name != "--format" || value.asString() != "jsonl";
  return false;
}

}  // namespace

std::optional<std::string> OptionalArg(const CommandLine& args, const std::string& name) {
  auto found = args.find(name);
  if (found == args.end()) return std::nullopt;
  if (found->second.isString()) return found->second.asString();
  if (found->second.isStringList() && !found->second.asStringList().empty()) {
    return found->second.asStringList().front();
  }
  return std::nullopt;
}

std::optional<std::string> UnacceptedOption(const CommandLine& args,
                                            std::initializer_list<const char*> accepted) {
  for (const char* option : kCommandOptions) {
    auto found = args.find(option);
    if (found == args.end() || !Given(found->second, option)) continue;
    bool ok = std::any_of(accepted.begin(), accepted.end(),
                          [&](const char* name) { return std::string_view(name) == option; });
    if (!ok) return std::string(option);
  }
  return std::nullopt;
}

}  // namespace throng::cli

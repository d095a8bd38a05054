#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "throng/common/command_line.hpp"

namespace throng::cli {

// The value of an option or argument docopt parsed, or nullopt if it was not given.
std::optional<std::string> OptionalArg(const CommandLine& args, const std::string& name);

// docopt accepts every option with every command ([options]); each command names the ones it
// takes. The first command-specific option given that `accepted` does not list, or nullopt.
std::optional<std::string> UnacceptedOption(const CommandLine& args,
                                            std::initializer_list<const char*> accepted);

}  // namespace throng::cli

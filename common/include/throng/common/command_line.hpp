#pragma once

#include <docopt/docopt.h>

#include <map>
#include <string>
#include <variant>

namespace throng {

using CommandLine = std::map<std::string, docopt::value>;

// Parses argv against a docopt usage text. Returns the parsed options, or the exit code the
// program should return at once (0 after printing --help or --version, 2 after a usage error
// that names the problem and points to --help).
std::variant<CommandLine, int> ParseCommandLine(const char* usage, const std::string& program,
                                                int argc, char** argv);

}  // namespace throng

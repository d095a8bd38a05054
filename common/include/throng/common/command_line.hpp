#pragma once

#include <docopt/docopt.h>

#include <map>
#include <string>
#include <variant>

namespace throng {

using CommandLine = std::map<std::string, docopt::value>;

// The "Usage:" block of a docopt usage text (up to its first blank line).
std::string UsageSection(const std::string& usage);

// Parses argv against a docopt usage text. Returns the parsed options, or the exit code the
// program should return at once (0 after printing --help or --version, 2 after a usage error
// that names the problem, prints the usage block and points to --help).
std::variant<CommandLine, int> ParseCommandLine(const char* usage, const std::string& program,
                                                int argc, char** argv);

}  // namespace throng

#include "throng/common/command_line.hpp"

#include <iostream>

#include "throng/common/exit_codes.hpp"

namespace throng {

std::string UsageSection(const std::string& usage) {
  auto start = usage.find("Usage:");
  if (start == std::string::npos) start = 0;
  auto end = usage.find("\n\n", start);
  return usage.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
}

std::variant<CommandLine, int> ParseCommandLine(const char* usage, const std::string& program,
                                                int argc, char** argv) {
  CommandLine args;
  try {
    args = docopt::docopt_parse(usage, {argv + 1, argv + argc}, true, false);
  } catch (const docopt::DocoptExitHelp&) {
    std::cout << usage;
    return kExitOk;
  } catch (const docopt::DocoptLanguageError& e) {
    std::cerr << program << ": internal usage error: " << e.what() << "\n";
    return kExitRuntime;
  } catch (const docopt::DocoptArgumentError& e) {
    std::cerr << program << ": " << e.what() << "\n"
              << UsageSection(usage) << "Run " << program << " --help for the options.\n";
    return kExitUsage;
  }
  if (auto version = args.find("--version");
      version != args.end() && version->second.isBool() && version->second.asBool()) {
    std::cout << program << " " << THRONG_VERSION << "\n";
    return kExitOk;
  }
  return args;
}

}  // namespace throng

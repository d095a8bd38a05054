#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "unique_temp_path.hpp"

namespace throng::testing {

// promtool comes with the Debian package prometheus.
inline bool PromtoolInstalled() { return std::system("command -v promtool >/dev/null 2>&1") == 0; }

// Runs `promtool check metrics` on an exposition; returns its complaints, or an empty string
// when it accepts the text. One call at a time per process (one scratch file).
inline std::string PromtoolProblems(const std::string& exposition) {
  auto path = UniqueTempPath("exposition.prom");
  std::ofstream(path, std::ios::binary) << exposition;
  std::string command = "promtool check metrics < '" + path.string() + "' 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "cannot run promtool";
  char buffer[4096];
  while (auto read = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, read);
  int status = ::pclose(pipe);
  std::remove(path.c_str());
  if (status == 0) return {};
  return output.empty() ? "promtool failed without a message" : output;
}

}  // namespace throng::testing

#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace throng::testing {

// ctest runs every test case in its own process, two at a time: a fixed temp path would be
// written by one case while another reads or deletes it. Suffix with the pid.
inline std::filesystem::path UniqueTempPath(const std::string& stem) {
  return std::filesystem::path(::testing::TempDir()) / (stem + "_" + std::to_string(::getpid()));
}

}  // namespace throng::testing

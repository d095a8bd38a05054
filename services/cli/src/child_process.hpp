#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::cli {

// The executable `name` would run as: searched on PATH, or checked as given when it has a slash.
std::optional<std::filesystem::path> FindExecutable(const std::string& name);

// A server this process starts and owns: in its own process group (a Ctrl-C reaches only us,
// and we stop it in order), with default signal handling, stdin from /dev/null and its output
// appended to a log file. Linux sends it SIGTERM should this process die without stopping it.
// Stopped (SIGTERM, then SIGKILL after a grace period) when the object goes.
class ChildProcess {
 public:
  static Result<ChildProcess> Start(const std::filesystem::path& program,
                                    const std::vector<std::string>& args,
                                    const std::filesystem::path& log);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t Pid() const { return pid_; }
  // False once it has exited (then reaped; ExitDescription says how).
  bool Running();
  // SIGTERM, then SIGKILL if it is still running after `grace`; returns how it ended.
  std::string Stop(std::chrono::milliseconds grace);
  // "exited with status N" or "killed by signal N"; empty while running.
  const std::string& ExitDescription() const { return exit_description_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void Reaped(int status);

  pid_t pid_ = -1;
  std::string exit_description_;
};

}  // namespace throng::cli

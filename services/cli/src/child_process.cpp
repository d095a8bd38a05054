#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

extern char** environ;

namespace throng::cli {

namespace {

bool IsExecutableFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// Runs in the forked child, so only async-signal-safe calls until exec; on failure the errno
// goes to the parent through the close-on-exec pipe.
[[noreturn]] void ExecChild(const char* program, char* const argv[], int log_fd, int null_fd,
                            int error_pipe, pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  // A server gets default signal handling whatever ours is: StopSignal blocks SIGINT and SIGTERM
  // and ignores SIGPIPE, and a shell ignores SIGINT in its background jobs.
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int number : {SIGINT, SIGTERM, SIGPIPE}) ::signal(number, SIG_DFL);
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  ::execve(program, argv, environ);
  int error = errno;
  [[maybe_unused]] auto written = ::write(error_pipe, &error, sizeof error);
  ::_exit(127);
}

}  // namespace

std::optional<std::filesystem::path> FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return IsExecutableFile(name) ? std::optional<std::filesystem::path>(name) : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

Result<ChildProcess> ChildProcess::Start(const std::filesystem::path& program,
                                         const std::vector<std::string>& args,
                                         const std::filesystem::path& log) {
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Fail("cannot write " + log.string() + ": " + std::strerror(errno));
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int error_pipe[2];
  if (null_fd < 0 || ::pipe2(error_pipe, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Fail(std::string("cannot start ") + program.string() + ": " + std::strerror(error));
  }
  // Everything the child needs is built before fork.
  std::vector<std::string> argv_strings{program.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) ExecChild(argv[0], argv.data(), log_fd, null_fd, error_pipe[1], parent);
  int fork_error = errno;
  ::close(error_pipe[1]);
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    ::close(error_pipe[0]);
    return Fail("cannot start " + program.string() + ": " + std::strerror(fork_error));
  }
  // The pipe closes without data once exec succeeded.
  int exec_error = 0;
  ssize_t got;
  do {
    got = ::read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (got > 0) {
    ::waitpid(pid, nullptr, 0);
    return Fail("cannot run " + program.string() + ": " + std::strerror(exec_error));
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), exit_description_(std::move(other.exit_description_)) {
  other.pid_ = -1;
}

ChildProcess::~ChildProcess() { Stop(std::chrono::seconds(10)); }

void ChildProcess::Reaped(int status) {
  pid_ = -1;
  exit_description_ = WIFSIGNALED(status)
                          ? "killed by signal " + std::to_string(WTERMSIG(status))
                          : "exited with status " + std::to_string(WEXITSTATUS(status));
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  Reaped(status);
  return false;
}

std::string ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) return exit_description_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (Running()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    Reaped(status);
  }
  return exit_description_;
}

}  // namespace throng::cli

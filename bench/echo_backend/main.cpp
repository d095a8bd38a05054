// throng-echo-backend: stands in for the task server behind a router and answers every packet
// at once, so that a benchmark measures the router's own cost.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mephisto_echo_peer.hpp"
#include "packet_counters.hpp"
#include "temporary_static_site.hpp"
#include "throng/common/agent_credentials.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/command_line.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/logging.hpp"
#include "throng/common/stop_signal.hpp"
#include "zmq_echo_peer.hpp"

namespace {

constexpr const char kUsage[] =
    R"(throng-echo-backend: answers every packet at once, for router-only benchmarks.

Usage:
  throng-echo-backend zmq --bind=<endpoint> [options]
  throng-echo-backend mephisto --router=<url> [options]
  throng-echo-backend (-h | --help)
  throng-echo-backend --version

Modes:
  zmq       Be throng's operator for throng routers: a ZeroMQ ROUTER socket on --bind that
            announces one live run ("1") to every router it hears from.
  mephisto  Be Mephisto's Python server for any Mephisto-compatible router (such as Mephisto's
            own Node router): a WebSocket client of --router.

Options:
  -h --help              Show this help.
  --version              Show the version.
  --bind=<endpoint>      ZeroMQ endpoint routers connect to, e.g. tcp://127.0.0.1:5555.
  --static-dir=<dir>     zmq: the run's frontend directory, as routers will read it
                         (default: a new temporary directory with a tiny index.html).
  --key=<key>            zmq: the agent credential key, at least 32 bytes
                         (default: 32 random bytes).
  --router=<url>         The router's WebSocket URL, e.g. ws://127.0.0.1:3000/.
  --stats-every=<s>      Log the counters every <s> seconds (default: never).
  --log-level=<level>    trace, debug, info, warn, error [default: info].

On SIGINT or SIGTERM it prints one JSON line of counters to stdout and exits 0.
)";

std::optional<std::string> Option(const throng::CommandLine& args, const std::string& name) {
  auto it = args.find(name);
  if (it == args.end() || !it->second.isString()) return std::nullopt;
  return it->second.asString();
}

std::string RandomKey() {
  std::string key(throng::AgentCredentials::kMinKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("the system's random source failed");
  }
  return key;
}

// Hands the stop request from the signal thread to whichever peer is running, including one
// that starts after the signal came.
class StopRelay {
 public:
  void Request() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (target_) target_();
  }
  // Stop requests go to `target` for as long as the returned value lives.
  [[nodiscard]] auto Attach(std::function<void()> target) {
    std::lock_guard lock(mutex_);
    target_ = std::move(target);
    if (requested_) target_();
    auto detach = [](StopRelay* relay) {
      std::lock_guard detach_lock(relay->mutex_);
      relay->target_ = nullptr;
    };
    return std::unique_ptr<StopRelay, decltype(detach)>(this, detach);
  }

 private:
  std::mutex mutex_;
  std::function<void()> target_;
  bool requested_ = false;
};

int UsageError(const std::string& message) {
  std::cerr << "throng-echo-backend: " << message << "\n";
  return throng::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = throng::ParseCommandLine(kUsage, "throng-echo-backend", argc, argv);
  if (auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const auto& args = std::get<throng::CommandLine>(parsed);

  std::chrono::milliseconds stats_interval{0};
  if (auto every = Option(args, "--stats-every")) {
    try {
      stats_interval = std::chrono::milliseconds(static_cast<long>(std::stod(*every) * 1000));
    } catch (const std::exception&) {
      return UsageError("--stats-every needs a number of seconds, not '" + *every + "'");
    }
    if (stats_interval.count() <= 0) return UsageError("--stats-every must be positive");
  }
  throng::SetupLogging("echo-backend", Option(args, "--log-level").value_or("info"), "text");

  StopRelay stop;
  throng::StopSignal signals([&stop](int) { stop.Request(); });

  throng::echo::PacketCounters counters;
  const auto& clock = throng::DefaultClock();
  try {
    if (args.at("zmq").asBool()) {
      std::optional<throng::echo::TemporaryStaticSite> temporary_site;
      auto static_dir = Option(args, "--static-dir");
      if (!static_dir) static_dir = temporary_site.emplace().path().string();
      auto key = Option(args, "--key").value_or(RandomKey());
      if (key.size() < throng::AgentCredentials::kMinKeyBytes) {
        return UsageError("--key must be at least 32 bytes");
      }
      throng::echo::ZmqEchoPeer peer({*Option(args, "--bind"), *static_dir, key,
                                      std::chrono::milliseconds(500), stats_interval},
                                     clock, counters);
      auto attached = stop.Attach([&peer] { peer.RequestStop(); });
      peer.Run();
    } else {
      auto router = throng::echo::ParseWebSocketUrl(*Option(args, "--router"));
      if (!router) return UsageError("--router must be a ws://host:port/ URL");
      throng::echo::MephistoEchoOptions options;
      options.router = *router;
      options.stats_interval = stats_interval;
      throng::echo::MephistoEchoPeer peer(options, clock, counters);
      auto attached = stop.Attach([&peer] { peer.RequestStop(); });
      peer.Run();
    }
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    std::cerr << "throng-echo-backend: " << e.what() << "\n";
    return throng::kExitRuntime;
  }
  std::cout << counters.ToJson() << std::endl;
  return throng::kExitOk;
}

// throng-loadgen: simulated crowd workers speaking the Mephisto worker protocol against any
// router URL (throng's or Mephisto's own), with a JSON report and a one-line summary.

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <iostream>
#include <optional>

#include "live_load.hpp"
#include "load_report.hpp"
#include "static_load.hpp"
#include "throng/common/command_line.hpp"

namespace {

constexpr const char kUsage[] =
    R"(throng-loadgen: simulated crowd workers speaking the Mephisto worker protocol.

Usage:
  throng-loadgen live <url> [options]
  throng-loadgen static <url> [options]
  throng-loadgen (-h | --help)

Live pages register, open the WebSocket, say alive, heartbeat and, once in task, send live
updates; each update's delivery (to its page with an echo backend, to the partner in a paired
chat) is timed from when it was due. Static workers open the page, read task_config.json,
register, think and submit; arrivals are open loop.

Options:
  -h --help              Show this help.
  --workers=<n>          live: pages at once (default 100); static: arrivals in all
                         (default: arrival rate x (warm-up + duration)).
  --connect-rate=<n>     live: pages opened (and, at the end, submissions) per second
                         [default: 500].
  --update-rate=<n>      live: live updates per second, all pages together [default: 0].
  --closed-loop          live: each page sends its next update when its last came back.
  --update-bytes=<n>     live: bytes of each update's data object [default: 100].
  --heartbeat=<s>        live: seconds between heartbeats [default: 6].
  --drain=<s>            live: seconds to wait for updates still in flight [default: 5].
  --submit-at-end        live: every page in task submits after the drain.
  --arrival-rate=<n>     static: new workers per second [default: 50].
  --think=<s>            static: seconds from registration to submission [default: 5].
  --submit-rate=<n>      static: everyone registers first, then submits at this rate
                         [default: 0].
  --warmup=<s>           Seconds before the measurement window opens [default: 2].
  --duration=<s>         Seconds the window stays open [default: 10].
  --timeout=<s>          Longest wait for any answer or connection [default: 10].
  --prefix=<name>        Worker names start with this [default: lg].
  --json=<file>          Also write the JSON report to this file.
  --log-level=<level>    trace, debug, info, warn, error [default: info].

Exit status: 0 when no operation failed and (live) the updates asked for were sent and each
delivered exactly once; 1 otherwise; 2 on bad usage.
)";

double Number(const throng::CommandLine& args, const std::string& name) {
  const auto& value = args.at(name);
  if (!value || !value.isString()) return 0;
  try {
    std::size_t used = 0;
    auto number = std::stod(value.asString(), &used);
    if (used != value.asString().size() || number < 0) throw std::invalid_argument(name);
    return number;
  } catch (const std::exception&) {
    throw std::invalid_argument(name + " must be a non-negative number, not '" + value.asString() +
                                "'");
  }
}

// Ten thousand sockets need more than the usual 1,024 descriptors.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace throng::loadgen;
  auto parsed = throng::ParseCommandLine(kUsage, "throng-loadgen", argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  const auto& args = std::get<throng::CommandLine>(parsed);
  spdlog::set_level(spdlog::level::from_str(args.at("--log-level").asString()));
  RaiseDescriptorLimit();

  auto target = ParseTargetUrl(args.at("<url>").asString());
  if (!target) {
    std::cerr << "throng-loadgen: " << target.error().message << "\n";
    return 2;
  }
  boost::asio::io_context io(1);
  boost::asio::ip::tcp::endpoint endpoint;
  try {
    boost::asio::ip::tcp::resolver resolver(io);
    endpoint = *resolver.resolve(target->host, target->port).begin();
  } catch (const std::exception& error) {
    std::cerr << "throng-loadgen: cannot resolve " << target->host << ": " << error.what() << "\n";
    return 2;
  }

  LatencyStats stats;
  std::optional<RouterConnections> router;
  std::optional<LiveLoad> live;
  std::optional<StaticLoad> workers;
  nlohmann::json settings;
  try {
    std::chrono::milliseconds timeout(static_cast<long>(Number(args, "--timeout") * 1000));
    if (timeout.count() <= 0) throw std::invalid_argument("--timeout must be above 0");
    router.emplace(io, *target, endpoint, timeout);
    if (args.at("live").asBool()) {
      LiveOptions options;
      if (args.at("--workers")) {
        options.workers = static_cast<std::size_t>(Number(args, "--workers"));
      }
      options.connect_rate = Number(args, "--connect-rate");
      options.update_rate = Number(args, "--update-rate");
      options.closed_loop = args.at("--closed-loop").asBool();
      options.update_bytes = static_cast<std::size_t>(Number(args, "--update-bytes"));
      options.heartbeat_seconds = Number(args, "--heartbeat");
      options.drain_seconds = Number(args, "--drain");
      options.submit_at_end = args.at("--submit-at-end").asBool();
      options.warmup_seconds = Number(args, "--warmup");
      options.duration_seconds = Number(args, "--duration");
      options.worker_prefix = args.at("--prefix").asString();
      if (options.workers == 0 || options.connect_rate <= 0 || options.heartbeat_seconds <= 0) {
        throw std::invalid_argument("--workers, --connect-rate and --heartbeat must be above 0");
      }
      settings = {{"workers", options.workers},
                  {"connect_rate", options.connect_rate},
                  {"update_rate",
                   options.closed_loop ? "closed loop" : nlohmann::json(options.update_rate)},
                  {"update_bytes", options.update_bytes},
                  {"heartbeat_seconds", options.heartbeat_seconds},
                  {"warmup_seconds", options.warmup_seconds},
                  {"duration_seconds", options.duration_seconds}};
      live.emplace(*router, options, stats);
      live->Start([&io] { io.stop(); });
    } else {
      StaticOptions options;
      options.arrival_rate = Number(args, "--arrival-rate");
      if (args.at("--workers")) {
        options.workers = static_cast<std::size_t>(Number(args, "--workers"));
      }
      options.think_seconds = Number(args, "--think");
      options.submit_rate = Number(args, "--submit-rate");
      options.warmup_seconds = Number(args, "--warmup");
      options.duration_seconds = Number(args, "--duration");
      options.worker_prefix = args.at("--prefix").asString();
      if (options.arrival_rate <= 0) throw std::invalid_argument("--arrival-rate must be above 0");
      settings = {{"arrival_rate", options.arrival_rate},
                  {"think_seconds", options.think_seconds},
                  {"submit_rate", options.submit_rate},
                  {"warmup_seconds", options.warmup_seconds},
                  {"duration_seconds", options.duration_seconds}};
      workers.emplace(*router, options, stats);
      settings["workers"] = workers->Details()["workers"]["arrived"];
      if (settings["workers"] == 0) throw std::invalid_argument("no worker would arrive");
      workers->Start([&io] { io.stop(); });
    }
  } catch (const std::invalid_argument& error) {
    std::cerr << "throng-loadgen: " << error.what() << "\n";
    return 2;
  }
  settings["url"] = args.at("<url>").asString();
  io.run();

  LoadReport report{live ? "live" : "static",
                    settings,
                    stats,
                    live ? live->window() : workers->window(),
                    live ? live->Details() : workers->Details(),
                    live ? live->own() : workers->own()};
  auto json = report.Json();
  if (const auto& file = args.at("--json"); file && file.isString()) {
    std::ofstream(file.asString()) << json.dump(2) << "\n";
  }
  std::cout << json.dump() << "\n";
  std::cerr << report.SummaryLine() << "\n";
  bool clean = stats.Errors() == 0;
  if (live) {
    const auto& delivery = json["delivery"];
    clean = clean && !live->SentNothingAskedFor() && delivery["duplicates"] == 0 &&
            delivery["never_delivered"] == 0 && delivery["unexpected"] == 0;
  }
  return clean ? 0 : 1;
}

#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <string>

#include "throng/common/clock.hpp"
#include "throng/common/command_line.hpp"
#include "throng/common/config_source.hpp"
#include "throng/common/exit_codes.hpp"
#include "throng/common/logging.hpp"
#include "throng/common/stop_signal.hpp"

namespace throng {

// The whole main() of a service: parse the command line, load and validate the config, set up
// logging and signals, start the App and run it until stopped. The App provides
// App(Config, const Clock&), Result<void> Start(), int Run() and RequestStop(int count);
// the Config provides log_level and log_format.
template <typename App, typename Config>
int ServiceMain(const char* usage, const std::string& program, const std::string& service,
                Result<Config> (*load_config)(const ConfigSource&), int argc, char** argv) {
  auto parsed = ParseCommandLine(usage, program, argc, argv);
  if (auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  auto source = ConfigSource::Load(std::get<CommandLine>(parsed));
  if (!source) {
    std::cerr << program << ": " << source.error().message << "\n";
    return kExitConfig;
  }
  auto config = load_config(*source);
  if (!config) {
    std::cerr << program << ": " << config.error().message << "\n";
    return kExitConfig;
  }
  SetupLogging(service, config->log_level, config->log_format);

  // Signals arrive on their own thread, possibly before the app exists.
  std::atomic<App*> app_ptr{nullptr};
  StopSignal signals([&app_ptr](int count) {
    spdlog::info(count == 1 ? "stop requested: finishing in-flight work (signal again to stop now)"
                            : "second stop request: stopping now");
    if (auto* app = app_ptr.load()) app->RequestStop(count);
  });
  App app(*config, DefaultClock());
  app_ptr = &app;
  if (auto started = app.Start(); !started) {
    spdlog::critical("{}", started.error().message);
    std::cerr << program << ": " << started.error().message << "\n";
    return kExitDependency;
  }
  return app.Run();
}

}  // namespace throng

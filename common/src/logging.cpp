#include "throng/common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace throng {

void SetupLogging(const std::string& service, const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt(service);
  if (format == "json") {
    // One JSON object per line; messages are escaped by the callers that include user input.
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","service":")" + service +
                        R"(","pid":%P,"msg":"%v"})");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ " + service + "[%P] %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace throng

#pragma once

#include <string>

namespace throng {

// Configures the default spdlog logger: one line per event on stderr, either
// human-readable text or JSON lines (format "json"), tagged with the service name.
void SetupLogging(const std::string& service, const std::string& level, const std::string& format);

}  // namespace throng

#pragma once

#include <string>

#include "throng/common/error.hpp"

namespace throng::loadgen {

// A router's base URL, http://host:port[/prefix]; the WebSocket is at ws://host:port/.
struct TargetUrl {
  std::string host;
  std::string port;
  std::string prefix;  // "" or "/something", never ending in '/'

  std::string Path(const std::string& path) const { return prefix + path; }
  std::string HostHeader() const { return host + ":" + port; }
};

Result<TargetUrl> ParseTargetUrl(const std::string& url);

}  // namespace throng::loadgen

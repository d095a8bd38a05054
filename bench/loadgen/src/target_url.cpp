#include "target_url.hpp"

namespace throng::loadgen {

Result<TargetUrl> ParseTargetUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return Fail("the router URL must start with http:// : " + url);
  }
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  TargetUrl target;
  if (slash != std::string::npos) target.prefix = rest.substr(slash);
  while (!target.prefix.empty() && target.prefix.back() == '/') target.prefix.pop_back();
  auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    target.host = authority;
    target.port = "80";
  } else {
    target.host = authority.substr(0, colon);
    target.port = authority.substr(colon + 1);
  }
  if (target.host.empty() || target.port.empty() ||
      target.port.find_first_not_of("0123456789") != std::string::npos) {
    return Fail("cannot read host and port from " + url);
  }
  return target;
}

}  // namespace throng::loadgen

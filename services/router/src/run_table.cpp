#include "run_table.hpp"

namespace throng::router {

const v1::TaskRunInfo* RunTable::Find(const std::string& task_run_id) const {
  for (const auto& run : runs_) {
    if (run.task_run_id() == task_run_id) return &run;
  }
  return nullptr;
}

const v1::TaskRunInfo* RunTable::Resolve(const std::string& target, const std::string& referer,
                                         const std::string& cookie_header) const {
  // A run named by the request or its page is the only one it may get: a worker linked to a
  // run that is not (or no longer, or not yet) live must not end up working on another one.
  for (const auto& id : {QueryValue(target, kQueryName), QueryValue(referer, kQueryName)}) {
    if (id && !id->empty()) return Find(*id);
  }
  // The cookie is only a memory of an earlier page: a finished run's falls through.
  if (auto id = CookieValue(cookie_header, kCookieName)) {
    if (const auto* run = Find(*id)) return run;
  }
  const v1::TaskRunInfo* newest = nullptr;
  for (const auto& run : runs_) {
    if (!newest || run.created_ms() > newest->created_ms() ||
        (run.created_ms() == newest->created_ms() && run.task_run_id() > newest->task_run_id())) {
      newest = &run;
    }
  }
  return newest;
}

std::optional<std::string> QueryValue(const std::string& url, const std::string& name) {
  auto query = url.find('?');
  if (query == std::string::npos) return std::nullopt;
  auto end = url.find('#', query);
  std::size_t pos = query + 1;
  const std::size_t stop = end == std::string::npos ? url.size() : end;
  while (pos < stop) {
    auto next = url.find('&', pos);
    if (next == std::string::npos || next > stop) next = stop;
    auto part = url.substr(pos, next - pos);
    auto equals = part.find('=');
    if (equals != std::string::npos && part.substr(0, equals) == name) {
      return part.substr(equals + 1);
    }
    pos = next + 1;
  }
  return std::nullopt;
}

std::optional<std::string> CookieValue(const std::string& header, const std::string& name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    auto part = header.substr(pos, end - pos);
    auto first = part.find_first_not_of(' ');
    if (first != std::string::npos) part = part.substr(first);
    auto equals = part.find('=');
    if (equals != std::string::npos && part.substr(0, equals) == name) {
      return part.substr(equals + 1);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace throng::router

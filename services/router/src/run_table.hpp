#pragma once

#include <optional>
#include <string>
#include <vector>

#include "throng/v1/envelope.pb.h"

namespace throng::router {

// The live task runs this router serves, as last announced by the operator's heartbeat.
// A request finds its run by, in order: `task_run_id=<id>` in its own query string (the link a
// requester hands out, e.g. /?task_run_id=7&worker_id=...), the same parameter in its Referer
// (the page's own requests, including mephisto-task's absolute paths such as /request_agent,
// so two runs open in two tabs never mix), the `throng_task_run` cookie set when a run's page
// was served, and finally the newest live run. A run named in the query or Referer that is not
// live here resolves to none (never to another run). Lives on the io thread.
class RunTable {
 public:
  static constexpr const char* kCookieName = "throng_task_run";
  static constexpr const char* kQueryName = "task_run_id";

  void Replace(std::vector<v1::TaskRunInfo> runs) { runs_ = std::move(runs); }
  const v1::TaskRunInfo* Find(const std::string& task_run_id) const;
  // Picks the run for a request from its target, Referer and Cookie headers (any may be empty).
  const v1::TaskRunInfo* Resolve(const std::string& target, const std::string& referer,
                                 const std::string& cookie_header) const;
  std::size_t size() const { return runs_.size(); }

 private:
  std::vector<v1::TaskRunInfo> runs_;
};

// The value of one query parameter of a URL or request target, if present (not decoded:
// run ids are digits).
std::optional<std::string> QueryValue(const std::string& url, const std::string& name);

// The value of one cookie in a Cookie header, if present.
std::optional<std::string> CookieValue(const std::string& header, const std::string& name);

}  // namespace throng::router

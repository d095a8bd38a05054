#pragma once

#include <optional>
#include <string>
#include <vector>

#include "throng/v1/envelope.pb.h"

namespace throng::router {

// The live task runs this router serves, as last announced by the operator's heartbeat.
// A request finds its run by the `throng_task_run` cookie (set when the run's page is
// served), falling back to the newest live run, so absolute-path Mephisto clients work.
// Lives on the io thread.
class RunTable {
 public:
  static constexpr const char* kCookieName = "throng_task_run";

  void Replace(std::vector<v1::TaskRunInfo> runs) { runs_ = std::move(runs); }
  const v1::TaskRunInfo* Find(const std::string& task_run_id) const;
  // Picks the run for a request with this Cookie header (may be empty).
  const v1::TaskRunInfo* Resolve(const std::string& cookie_header) const;
  std::size_t size() const { return runs_.size(); }

 private:
  std::vector<v1::TaskRunInfo> runs_;
};

// The value of one cookie in a Cookie header, if present.
std::optional<std::string> CookieValue(const std::string& header, const std::string& name);

}  // namespace throng::router

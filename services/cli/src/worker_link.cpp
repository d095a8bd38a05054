#include "worker_link.hpp"

namespace throng::cli {

std::string WorkerLink(const std::string& base_url, std::int64_t task_run_id,
                       const std::string& provider_type) {
  auto base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto link = base + "/?task_run_id=" + std::to_string(task_run_id);
  if (provider_type == "prolific") {
    return link +
           "&participant_id={{%PROLIFIC_PID%}}&study_id={{%STUDY_ID%}}"
           "&submission_id={{%SESSION_ID%}}";
  }
  return link + "&worker_id=<worker>&assignment_id=<assignment>";
}

}  // namespace throng::cli

#include "status_command.hpp"

#include "run_progress.hpp"
#include "worker_link.hpp"

namespace throng::cli {

int Status(pqxx::connection& db, std::int64_t task_run_id, const std::string& worker_url,
           bool as_json, std::ostream& out, std::ostream& err) {
  auto progress = ReadRunProgress(db, task_run_id);
  if (!progress) {
    err << "throng: no task run " << task_run_id << "; `throng runs` lists them\n";
    return 1;
  }
  auto link = WorkerLink(progress->public_url.empty() ? worker_url : progress->public_url,
                         task_run_id, progress->provider_type);
  if (as_json) {
    auto status = ToJson(*progress);
    status["worker_link"] = link;
    out << status.dump() << "\n";
    return 0;
  }
  const auto& p = *progress;
  out << "task run " << p.task_run_id << " (" << p.task_name
      << "): " << (p.completed ? "completed" : "live") << "\n"
      << "  " << p.blueprint_type << " on " << p.provider_type << ", created " << p.created << "\n"
      << "  " << ProgressLine(p) << "\n"
      << "  units: " << p.units_created << " created, " << p.units_launched << " launched, "
      << p.units_assigned << " assigned, " << p.units_completed << " completed, "
      << p.units_reviewed << " reviewed, " << p.units_expired << " expired, " << p.units_total
      << " in all\n"
      << "  settings (`throng set " << p.task_run_id << " <key>=<value>` changes them):";
  for (const auto& [key, value] : p.settings.items()) out << " " << key << "=" << value.dump();
  out << "\n";
  if (!p.completed) out << "  worker link: " << link << "\n";
  return 0;
}

}  // namespace throng::cli

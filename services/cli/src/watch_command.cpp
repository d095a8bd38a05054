#include "watch_command.hpp"

#include <string>
#include <thread>

#include "run_progress.hpp"

namespace throng::cli {

int Watch(pqxx::connection& db, std::int64_t task_run_id, std::chrono::milliseconds interval,
          bool terminal, const std::atomic<bool>& stop, std::ostream& out, std::ostream& err) {
  std::string shown;
  auto show = [&](const std::string& line) {
    if (terminal) {
      out << "\r\033[K" << line << std::flush;  // redraw the line in place
    } else if (line != shown) {
      out << line << std::endl;
    }
    shown = line;
  };
  while (true) {
    std::optional<RunProgress> progress;
    try {
      progress = ReadRunProgress(db, task_run_id);
    } catch (const std::exception& e) {
      if (terminal && !shown.empty()) out << "\n";
      err << "throng: lost the database while watching task run " << task_run_id << " (" << e.what()
          << ")\n";
      return 1;
    }
    if (!progress) {
      err << "throng: no task run " << task_run_id << "; `throng runs` lists them\n";
      return 1;
    }
    show("task run " + std::to_string(task_run_id) + " " + ProgressLine(*progress));
    if (progress->completed) {
      if (terminal) out << "\n";
      out << "task run " << task_run_id << " completed: " << progress->Done() << " units done, "
          << progress->units_expired << " expired" << std::endl;
      return 0;
    }
    for (auto waited = std::chrono::milliseconds(0); waited < interval;
         waited += std::chrono::milliseconds(50)) {
      if (stop) {
        if (terminal) out << "\n";
        out << "stopped watching; task run " << task_run_id << " goes on" << std::endl;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace throng::cli

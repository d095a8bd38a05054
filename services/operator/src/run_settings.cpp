#include "run_settings.hpp"

#include <charconv>

namespace throng::operator_ {

namespace {

std::string KnownKeys() {
  std::string keys;
  for (const auto& setting : LiveRunSettings())
    keys += (keys.empty() ? "" : ", ") + std::string(setting.key);
  return keys;
}

struct Assignment {
  const LiveRunSetting* setting;
  int value;
};

Result<Assignment> ParseAssignment(std::string text) {
  auto equals = text.find('=');
  if (equals == std::string::npos) {
    return Fail("'" + text + "' is not key=value (changeable: " + KnownKeys() + ")");
  }
  auto key = text.substr(0, equals);
  auto value_text = text.substr(equals + 1);
  for (const char* prefix : {"mephisto.task.", "task."}) {
    if (key.rfind(prefix, 0) == 0) key = key.substr(std::string(prefix).size());
  }
  const LiveRunSetting* found = nullptr;
  for (const auto& setting : LiveRunSettings()) {
    if (key == setting.key) found = &setting;
  }
  if (!found) {
    return Fail("'" + key + "' cannot be changed on a live run (changeable: " + KnownKeys() + ")");
  }
  int value = 0;
  auto [end, error] =
      std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
  if (error != std::errc() || end != value_text.data() + value_text.size()) {
    return Fail(key + " must be a whole number, not '" + value_text + "'");
  }
  if (value < found->minimum) {
    return Fail(key + " must be >= " + std::to_string(found->minimum) + " (" + found->meaning +
                ")");
  }
  return Assignment{found, value};
}

}  // namespace

const std::vector<LiveRunSetting>& LiveRunSettings() {
  static const std::vector<LiveRunSetting> settings{
      {"max_num_concurrent_units", "max_num_concurrent_units", 0,
       "units launched or assigned at once; 0 means no cap"},
      {"allowed_concurrent", "allowed_concurrent", 0,
       "units one worker may hold at once; 0 means no limit"},
      {"maximum_units_per_worker", "maximum_units_per_worker", 0,
       "units one worker may do under this task name; 0 means no limit"},
      {"assignment_duration_in_seconds", "assignment_duration_seconds", 1,
       "seconds an agent has to submit its unit"},
      {"submission_timeout", "submission_timeout_seconds", 1,
       "seconds a live agent whose partner left may still take to submit"},
      {"no_submission_patience", "no_submission_patience_seconds", 1,
       "seconds without a submission before the run is shut down"},
  };
  return settings;
}

Result<std::vector<SettingChange>> ChangeRunSettings(pqxx::connection& connection,
                                                     std::int64_t task_run_id,
                                                     const std::vector<std::string>& assignments) {
  if (assignments.empty()) return Fail("nothing to change (changeable: " + KnownKeys() + ")");
  std::vector<Assignment> parsed;
  for (const auto& text : assignments) {
    auto assignment = ParseAssignment(text);
    if (!assignment) return tl::unexpected(assignment.error());
    parsed.push_back(*assignment);
  }
  pqxx::work tx(connection);
  auto run = tx.exec_params("SELECT is_completed FROM task_runs WHERE task_run_id = $1 FOR UPDATE",
                            task_run_id);
  if (run.empty()) return Fail("task run " + std::to_string(task_run_id) + " does not exist");
  if (run[0][0].as<bool>()) {
    return Fail("task run " + std::to_string(task_run_id) + " is completed; nothing to change");
  }
  std::vector<SettingChange> changes;
  for (const auto& [setting, value] : parsed) {
    // Column names come from the fixed table above, never from the caller.
    auto column = tx.quote_name(setting->column);
    auto old_value =
        tx.exec_params1("SELECT " + column + "::text FROM task_runs WHERE task_run_id = $1",
                        task_run_id)[0]
            .as<std::string>();
    tx.exec_params("UPDATE task_runs SET " + column + " = $2 WHERE task_run_id = $1", task_run_id,
                   value);
    tx.exec_params(
        "INSERT INTO task_run_setting_changes (task_run_id, setting, old_value, new_value)"
        " VALUES ($1, $2, $3, $4)",
        task_run_id, setting->key, old_value, std::to_string(value));
    changes.push_back({setting->key, old_value, std::to_string(value)});
  }
  tx.commit();
  return changes;
}

}  // namespace throng::operator_

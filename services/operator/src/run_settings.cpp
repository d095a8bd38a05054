#include "run_settings.hpp"

#include <charconv>

#include "quality_monitors.hpp"

namespace throng::operator_ {

namespace {

std::string KnownKeys() {
  std::string keys;
  for (const auto& setting : LiveRunSettings()) keys += (keys.empty() ? "" : ", ") + setting.name;
  return keys;
}

// A `task` limit or timeout: a whole number of at least `minimum`.
LiveRunSetting WholeNumber(const char* key, const char* column, int minimum, const char* meaning) {
  std::string name = key;
  auto parse = [name, minimum,
                meaning = std::string(meaning)](const std::string& text) -> Result<std::string> {
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
      return Fail(name + " must be a whole number, not '" + text.substr(0, 64) + "'");
    }
    if (value < minimum) {
      return Fail(name + " must be >= " + std::to_string(minimum) + " (" + meaning + ")");
    }
    return std::to_string(value);
  };
  return {name, column, parse};
}

// A `monitoring` threshold: a fraction, checked as at launch.
LiveRunSetting Fraction(const QualityMonitorSetting& setting) {
  auto parse = [&setting](const std::string& text) -> Result<std::string> {
    auto value = ParseQualityMonitorValue(setting, text);
    if (!value) return tl::unexpected(value.error());
    return text;
  };
  return {"monitoring." + std::string(setting.key), setting.key, parse};
}

std::vector<LiveRunSetting> AllLiveRunSettings() {
  std::vector<LiveRunSetting> settings{
      WholeNumber("max_num_concurrent_units", "max_num_concurrent_units", 0,
                  "units launched or assigned at once; 0 means no cap"),
      WholeNumber("allowed_concurrent", "allowed_concurrent", 0,
                  "units one worker may hold at once; 0 means no limit"),
      WholeNumber("maximum_units_per_worker", "maximum_units_per_worker", 0,
                  "units one worker may do under this task name; 0 means no limit"),
      WholeNumber("assignment_duration_in_seconds", "assignment_duration_seconds", 1,
                  "seconds an agent has to submit its unit"),
      WholeNumber("submission_timeout", "submission_timeout_seconds", 1,
                  "seconds a live agent whose partner left may still take to submit"),
      WholeNumber("no_submission_patience", "no_submission_patience_seconds", 1,
                  "seconds without a submission before the run is shut down"),
  };
  for (const auto& monitor : QualityMonitorSettings()) settings.push_back(Fraction(monitor));
  return settings;
}

struct Assignment {
  const LiveRunSetting* setting;
  std::string value;
};

Result<Assignment> ParseAssignment(const std::string& text) {
  auto equals = text.find('=');
  if (equals == std::string::npos) {
    return Fail("'" + text + "' is not key=value (changeable: " + KnownKeys() + ")");
  }
  auto key = text.substr(0, equals);
  if (key.rfind("mephisto.", 0) == 0) key = key.substr(9);
  if (key.rfind("task.", 0) == 0) key = key.substr(5);
  const LiveRunSetting* found = nullptr;
  for (const auto& setting : LiveRunSettings()) {
    if (key == setting.name) found = &setting;
  }
  if (!found) {
    return Fail("'" + key + "' cannot be changed on a live run (changeable: " + KnownKeys() + ")");
  }
  auto value = found->parse(text.substr(equals + 1));
  if (!value) return tl::unexpected(value.error());
  return Assignment{found, *value};
}

}  // namespace

const std::vector<LiveRunSetting>& LiveRunSettings() {
  static const std::vector<LiveRunSetting> settings = AllLiveRunSettings();
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
    // Column names come from the fixed table above, never from the caller; the value was
    // checked against the setting and is converted to the column's type by PostgreSQL.
    auto column = tx.quote_name(setting->column);
    // sql-safe: `column` is a quoted name from the fixed table of live settings.
    auto old_value =
        tx.exec_params1("SELECT " + column + "::text FROM task_runs WHERE task_run_id = $1",
                        task_run_id)[0]
            .as<std::string>();
    // sql-safe: as above.
    auto new_value = tx.exec_params1("UPDATE task_runs SET " + column + " = $2" +
                                         " WHERE task_run_id = $1 RETURNING " + column + "::text",
                                     task_run_id, value)[0]
                         .as<std::string>();
    tx.exec_params(
        "INSERT INTO task_run_setting_changes (task_run_id, setting, old_value, new_value)"
        " VALUES ($1, $2, $3, $4)",
        task_run_id, setting->name, old_value, new_value);
    changes.push_back({setting->name, old_value, new_value});
  }
  tx.commit();
  return changes;
}

}  // namespace throng::operator_

#pragma once

#include <cstdint>
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// A task run setting that may change while the run is live: the operator reads it from the
// run's row every time it uses it, so a change takes effect within a maintenance round.
struct LiveRunSetting {
  // As given to `throng set`: a `task` key as it is (a leading `task.` is accepted), a
  // `monitoring` key with its group (monitoring.min_gold_accuracy).
  std::string name;
  std::string column;
  // Checks a value as typed; returns it as stored, or an error naming the setting and what it
  // accepts.
  std::function<Result<std::string>(const std::string& text)> parse;
};

const std::vector<LiveRunSetting>& LiveRunSettings();

struct SettingChange {
  std::string key;
  std::string old_value;
  std::string new_value;
};

// Applies `key=value` assignments (a leading `mephisto.` is accepted) to a live run in one
// transaction and records them in task_run_setting_changes. Errors name the key and what it
// accepts; nothing is applied unless every assignment is valid.
Result<std::vector<SettingChange>> ChangeRunSettings(pqxx::connection& connection,
                                                     std::int64_t task_run_id,
                                                     const std::vector<std::string>& assignments);

}  // namespace throng::operator_

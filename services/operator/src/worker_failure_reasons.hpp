#pragma once

namespace throng::operator_ {

// Worker-facing refusal texts, byte-for-byte as Mephisto's WorkerFailureReasons, because
// existing task frontends show them as they are.
inline constexpr const char* kNotQualified =
    "You are not currently qualified to work on this task...";
inline constexpr const char* kNoAvailableUnits =
    "There is currently no available work, please try again later...";
inline constexpr const char* kTaskMissing =
    "You appear to have already completed this task, or have disconnected long enough for your "
    "session to clear...";

}  // namespace throng::operator_

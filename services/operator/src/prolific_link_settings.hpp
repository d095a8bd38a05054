#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// Prolific in link mode: the requester creates the study on Prolific with the run's URL and a
// completion code; participants arrive with their ids in the URL and, once their submission is
// stored, are sent to <completion url>?cc=<code>, which tells Prolific they finished.
inline constexpr const char* kProlificCompletionCodeKey = "prolific_completion_code";
inline constexpr const char* kProlificCompletionUrlKey = "prolific_completion_url";
inline constexpr const char* kProlificDefaultCompletionUrl =
    "https://app.prolific.com/submissions/complete";

// Reads provider.prolific_completion_code (required: no whitespace or control characters) and
// provider.prolific_completion_url (an http(s) URL without a fragment; default Prolific's).
// Returns the page's provider args: {"type": "prolific", "submit_redirect_url": "<url>?cc=<code>"}
// with the code percent-encoded. Errors name the key and what it accepts.
Result<nlohmann::json> ReadProlificLinkSettings(const YAML::Node& provider);

}  // namespace throng::operator_

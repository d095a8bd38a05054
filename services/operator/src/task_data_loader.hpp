#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

namespace throng::operator_ {

// Reads a task's data file, one JSON object per assignment:
//   .csv   a header row, then one row per assignment (RFC 4180 quoting); values are strings
//   .json  an array of objects
//   .jsonl one object per non-empty line
// Errors name the file and the line.
Result<std::vector<nlohmann::json>> LoadTaskData(const std::string& path);

// Exposed for tests.
Result<std::vector<nlohmann::json>> ParseCsvData(const std::string& text, const std::string& name);
Result<std::vector<nlohmann::json>> ParseJsonData(const std::string& text, const std::string& name);
Result<std::vector<nlohmann::json>> ParseJsonlData(const std::string& text,
                                                   const std::string& name);

}  // namespace throng::operator_

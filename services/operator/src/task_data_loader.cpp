#include "task_data_loader.hpp"

#include <fstream>
#include <sstream>

namespace throng::operator_ {

namespace {

// Splits CSV text into records of fields, honouring quotes (which may span lines).
Result<std::vector<std::vector<std::string>>> SplitCsv(const std::string& text,
                                                       const std::string& name) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(record.size() == 1 && record[0].empty())) records.push_back(std::move(record));
      record.clear();
      ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return Fail(name + ": unterminated quoted field at line " + std::to_string(line));
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

Result<std::vector<nlohmann::json>> ParseCsvData(const std::string& text, const std::string& name) {
  auto records = SplitCsv(text, name);
  if (!records) return tl::unexpected(records.error());
  if (records->empty()) return Fail(name + ": no header row");
  const auto& header = records->front();
  for (const auto& column : header) {
    if (column.empty()) return Fail(name + ": the header has an empty column name");
  }
  std::vector<nlohmann::json> rows;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const auto& record = (*records)[r];
    if (record.size() != header.size()) {
      return Fail(name + ": record " + std::to_string(r + 1) + " has " +
                  std::to_string(record.size()) + " fields, the header has " +
                  std::to_string(header.size()));
    }
    nlohmann::json row = nlohmann::json::object();
    for (std::size_t c = 0; c < header.size(); ++c) row[header[c]] = record[c];
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<nlohmann::json>> ParseJsonData(const std::string& text,
                                                  const std::string& name) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return Fail(name + ": not valid JSON");
  if (!parsed.is_array()) return Fail(name + ": must be a JSON array of objects");
  std::vector<nlohmann::json> rows;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i].is_object()) {
      return Fail(name + ": element " + std::to_string(i) + " is not an object");
    }
    rows.push_back(parsed[i]);
  }
  return rows;
}

Result<std::vector<nlohmann::json>> ParseJsonlData(const std::string& text,
                                                   const std::string& name) {
  std::vector<nlohmann::json> rows;
  std::istringstream stream(text);
  int line_number = 0;
  for (std::string line; std::getline(stream, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return Fail(name + ": line " + std::to_string(line_number) + " is not a JSON object");
    }
    rows.push_back(std::move(parsed));
  }
  return rows;
}

Result<std::vector<nlohmann::json>> LoadTaskData(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Fail("cannot read task data file '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".csv")) return ParseCsvData(buffer.str(), path);
  if (ends_with(".jsonl")) return ParseJsonlData(buffer.str(), path);
  if (ends_with(".json")) return ParseJsonData(buffer.str(), path);
  return Fail("task data file '" + path + "' must end in .csv, .json or .jsonl");
}

}  // namespace throng::operator_

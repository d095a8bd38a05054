#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace throng::operator_ {

// A database id as packets carry it (agent, run, update ids are decimal text): a positive
// integer and nothing else, or nullopt.
inline std::optional<std::int64_t> ParseDatabaseId(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace throng::operator_

#pragma once

#include <optional>
#include <string_view>

namespace throng::loadgen {

// The string value of the first `"<key>":"..."` in a compact JSON packet, without building a
// document: the generator reads tens of thousands of frames a second on one core, and routers
// (throng's and Mephisto's) write packets without spaces. Nullopt when the key is absent or
// its value is not a string; escapes are skipped over, not decoded (ids and statuses have none).
std::optional<std::string_view> StringField(std::string_view json, std::string_view key);

}  // namespace throng::loadgen

#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace throng::echo {

// Finds values in a JSON object's text without building a document: the echo answers tens of
// thousands of live updates a second by splicing their `data` back unchanged, so a DOM per
// packet would cost more than the router it stands next to.
//
// The whole text is checked against the JSON grammar (strings with their escapes, numbers,
// literals, nesting up to kMaxJsonDepth); anything else is malformed and yields nullopt.
// Bytes of 0x80 and above inside strings are taken as they are (UTF-8 is not checked).

inline constexpr int kMaxJsonDepth = 128;

// The exact bytes of the value of top-level member `key` in `object_text` (which must be one
// JSON object, surrounding whitespace allowed). Keys match by their raw bytes, so a key
// written with escapes ("d\u0061ta") does not match. With a repeated key the last one wins,
// as in JSON.parse and nlohmann::json. nullopt: malformed text, not an object, or no such key.
std::optional<std::string_view> FindTopLevelValue(std::string_view object_text,
                                                  std::string_view key);

// Several members in one pass: values[i] becomes the value of keys[i] (or stays nullopt when
// absent). Returns false, with `values` unspecified, when the text is malformed or not an
// object. `values` must be as long as `keys`.
bool FindTopLevelValues(std::string_view object_text, std::span<const std::string_view> keys,
                        std::span<std::optional<std::string_view>> values);

// FindTopLevelValue(object_text, "data").
inline std::optional<std::string_view> FindDataValue(std::string_view object_text) {
  return FindTopLevelValue(object_text, "data");
}

// The characters of a JSON string token (quotes included) that holds no escapes, e.g.
// "\"alive\"" -> "alive"; nullopt for any other token. For comparing packet types cheaply.
std::optional<std::string_view> PlainStringContent(std::string_view token);

}  // namespace throng::echo

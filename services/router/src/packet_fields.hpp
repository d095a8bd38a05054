#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace throng::router {

// The routing fields of a browser's packet, read without building a document: the router
// forwards the packet's text as it came, so only these top-level fields are kept while the
// rest (the `data` a live update carries) is validated and skipped.
struct PacketFields {
  std::optional<std::string> packet_type;  // present only when a string
  std::optional<std::string> subject_id;   // present only when a string
  double client_timestamp = 0;             // 0 unless a number
};

// Nullopt unless `text` is one JSON object (valid UTF-8, nothing after it).
std::optional<PacketFields> ReadPacketFields(std::string_view text);

}  // namespace throng::router

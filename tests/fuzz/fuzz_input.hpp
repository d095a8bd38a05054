#pragma once

// Small helpers shared by the libFuzzer harnesses: viewing the input as text and cutting it
// into a few length-prefixed pieces, so one input can carry several values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace throng::fuzz {

// The agent credential key of the fuzzers' stand-in operator.
inline constexpr const char* kAgentCredentialKey = "fuzz-agent-credential-key-32byte";

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : text_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return text_.empty(); }
  // The next byte (0 when exhausted).
  std::uint8_t Byte() {
    if (text_.empty()) return 0;
    auto byte = static_cast<std::uint8_t>(text_.front());
    text_.remove_prefix(1);
    return byte;
  }
  // A piece prefixed by its length (two bytes, little-endian), cut short at the end.
  std::string Piece() {
    std::size_t length = Byte();
    length |= static_cast<std::size_t>(Byte()) << 8;
    return Take(length);
  }
  // The first line (without its newline) and whatever follows it.
  std::string Line() {
    auto end = text_.find('\n');
    auto line = Take(end == std::string_view::npos ? text_.size() : end);
    Byte();
    return line;
  }
  std::string Rest() { return Take(text_.size()); }

  // "$AGENT" in `text` becomes `issued`, an agent id the operator issued, so that inputs also
  // reach the code behind the routers' credential check.
  static std::string WithAgentId(std::string text, const std::string& issued) {
    constexpr std::string_view kMarker = "$AGENT";
    for (auto at = text.find(kMarker); at != std::string::npos;
         at = text.find(kMarker, at + issued.size())) {
      text.replace(at, kMarker.size(), issued);
    }
    return text;
  }

 private:
  std::string Take(std::size_t length) {
    auto piece = text_.substr(0, length);
    text_.remove_prefix(piece.size());
    return std::string(piece);
  }
  std::string_view text_;
};

}  // namespace throng::fuzz

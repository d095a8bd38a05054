#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace throng {

// Agent ids as browsers hold them: "<subject>-<tag>", where the subject is what the operator
// stores ("17", "onboarding_4") and the tag an HMAC-SHA256 of it under a key only the operator
// and the routers know. Only the page that registered ever sees an agent's id, so a request
// carrying it comes from that page; a guessed or altered id fails Verify and is refused.
class AgentCredentials {
 public:
  static constexpr std::size_t kMinKeyBytes = 32;

  // Throws std::invalid_argument on a key shorter than kMinKeyBytes.
  explicit AgentCredentials(std::string key);

  std::string Issue(std::string_view subject) const;
  // The subject of an id this key issued, or nullopt (forged, altered or malformed).
  std::optional<std::string> Verify(std::string_view agent_id) const;

  const std::string& key() const { return key_; }

 private:
  std::string Tag(std::string_view subject) const;

  std::string key_;
};

}  // namespace throng

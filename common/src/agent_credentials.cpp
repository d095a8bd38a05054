#include "throng/common/agent_credentials.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "throng/common/random_token.hpp"

namespace throng {

namespace {

// 128 bits of the HMAC: far beyond guessing at any request rate, and short enough for URLs.
constexpr std::size_t kTagBytes = 16;

}  // namespace

AgentCredentials::AgentCredentials(std::string key) : key_(std::move(key)) {
  if (key_.size() < kMinKeyBytes) {
    throw std::invalid_argument("the agent credential key must have at least 32 bytes");
  }
}

std::string AgentCredentials::Tag(std::string_view subject) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
            reinterpret_cast<const unsigned char*>(subject.data()), subject.size(), digest,
            &length) ||
      length < kTagBytes) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return ToHex(digest, kTagBytes);
}

std::string AgentCredentials::Issue(std::string_view subject) const {
  return std::string(subject) + "-" + Tag(subject);
}

std::optional<std::string> AgentCredentials::Verify(std::string_view agent_id) const {
  auto dash = agent_id.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || agent_id.size() - dash - 1 != kTagBytes * 2) {
    return std::nullopt;
  }
  auto subject = agent_id.substr(0, dash);
  auto expected = Tag(subject);
  // Constant time: how much of a forged tag matched must not show in the answer's timing.
  if (CRYPTO_memcmp(expected.data(), agent_id.data() + dash + 1, expected.size()) != 0) {
    return std::nullopt;
  }
  return std::string(subject);
}

}  // namespace throng

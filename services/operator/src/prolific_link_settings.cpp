#include "prolific_link_settings.hpp"

#include <cctype>
#include <optional>
#include <string>

namespace throng::operator_ {

namespace {

// A key's scalar text as written (a code of digits stays text), or nullopt when absent.
Result<std::optional<std::string>> ScalarText(const YAML::Node& provider, const std::string& key) {
  auto node = provider[key];
  if (!node || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) {
    return Fail("provider." + key + " must be a single value, not a list or mapping");
  }
  return std::optional<std::string>(node.Scalar());
}

bool IsVisibleAscii(unsigned char c) { return c > 0x20 && c < 0x7f; }

std::string PercentEncoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// http(s)://host[...] with no whitespace, control characters or fragment (the code is
// appended as a query parameter, which a fragment would swallow).
bool IsCompletionUrl(const std::string& url) {
  std::string rest;
  for (const char* scheme : {"https://", "http://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(std::string(scheme).size());
  }
  if (rest.empty() || rest[0] == '/' || rest[0] == '?' || rest[0] == '@') return false;
  for (unsigned char c : url) {
    if (!IsVisibleAscii(c) || c == '#') return false;
  }
  return true;
}

}  // namespace

Result<nlohmann::json> ReadProlificLinkSettings(const YAML::Node& provider) {
  const std::string code_key = kProlificCompletionCodeKey;
  const std::string url_key = kProlificCompletionUrlKey;
  auto code = ScalarText(provider, code_key);
  if (!code) return tl::unexpected(code.error());
  if (!*code) {
    return Fail("provider." + code_key +
                " is required for provider.type prolific: the completion code of the Prolific "
                "study, which participants are sent back with after submitting");
  }
  const std::string& code_text = **code;
  bool code_ok = !code_text.empty() && code_text.size() <= 128;
  for (unsigned char c : code_text) code_ok = code_ok && IsVisibleAscii(c);
  if (!code_ok) {
    return Fail("provider." + code_key +
                " must be 1 to 128 visible ASCII characters without spaces (the study's "
                "completion code, e.g. C1A2B3C4)");
  }

  auto url = ScalarText(provider, url_key);
  if (!url) return tl::unexpected(url.error());
  std::string url_text = url->value_or(kProlificDefaultCompletionUrl);
  if (!IsCompletionUrl(url_text)) {
    return Fail("provider." + url_key + " '" + url_text.substr(0, 200) +
                "' must be an http:// or https:// URL with a host and no spaces or '#' "
                "(default " +
                kProlificDefaultCompletionUrl + ")");
  }
  const char* separator = url_text.find('?') == std::string::npos            ? "?"
                          : url_text.back() == '?' || url_text.back() == '&' ? ""
                                                                             : "&";
  return nlohmann::json{
      {"type", "prolific"},
      {"submit_redirect_url", url_text + separator + "cc=" + PercentEncoded(code_text)}};
}

}  // namespace throng::operator_

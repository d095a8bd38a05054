#pragma once

#include <string_view>

namespace throng::router {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). Checked apart from JSON parsing so that the two refusals get their own
// reason: a browser sending broken text is a different bug from one sending broken JSON.
bool IsValidUtf8(std::string_view text);

}  // namespace throng::router

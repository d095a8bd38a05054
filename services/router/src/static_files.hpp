#pragma once

#include <optional>
#include <string>

namespace throng::router {

// Maps a URL path to a file under `root`, refusing anything that could leave it
// (.., encoded separators, NUL, symlinks pointing outside). Returns nullopt if refused or absent.
std::optional<std::string> ResolveStaticPath(const std::string& root, const std::string& url_path);

// Content-Type for a file name, by extension.
std::string ContentTypeFor(const std::string& path);

// Percent-decodes a URL path; nullopt on malformed escapes or a decoded NUL.
std::optional<std::string> PercentDecode(const std::string& text);

}  // namespace throng::router

#pragma once

#include <optional>
#include <string>

namespace throng::router {

// Maps a URL path to a file under `root`, refusing anything that could leave it
// (.., encoded separators, NUL, symlinks pointing outside). Returns nullopt if refused or absent.
std::optional<std::string> ResolveStaticPath(const std::string& root, const std::string& url_path);

// Whether a path from a URL may be looked up at all. Checked before touching the disk so that
// attacks are refused (and counted) as such instead of looking like a missing file.
enum class PathVerdict {
  kSafe,
  kMalformed,  // a broken percent escape or an encoded NUL
  kTraversal,  // a ".." segment or a backslash (a Windows separator), encoded or not
};
// For a URL path under a static root ("/assets/app.js").
PathVerdict CheckUrlPath(const std::string& url_path);
// For a single file name taken from a URL ("/download_file/<name>"): any separator is traversal.
PathVerdict CheckFileName(const std::string& encoded_name);

// Content-Type for a file name, by extension.
std::string ContentTypeFor(const std::string& path);

// Percent-decodes a URL path; nullopt on malformed escapes or a decoded NUL.
std::optional<std::string> PercentDecode(const std::string& text);

}  // namespace throng::router

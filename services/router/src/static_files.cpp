#include "static_files.hpp"

#include <filesystem>
#include <map>

namespace throng::router {

namespace fs = std::filesystem;

std::optional<std::string> PercentDecode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;  // a truncated escape
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int high = hex(text[i + 1]);
    int low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '\0') return std::nullopt;
    out += decoded;
    i += 2;
  }
  return out;
}

PathVerdict CheckUrlPath(const std::string& url_path) {
  auto decoded = PercentDecode(url_path);
  if (!decoded) return PathVerdict::kMalformed;
  if (decoded->find('\\') != std::string::npos) return PathVerdict::kTraversal;
  std::size_t start = 0;
  while (start <= decoded->size()) {
    auto end = decoded->find('/', start);
    if (end == std::string::npos) end = decoded->size();
    if (decoded->compare(start, end - start, "..") == 0) return PathVerdict::kTraversal;
    start = end + 1;
  }
  return PathVerdict::kSafe;
}

PathVerdict CheckFileName(const std::string& encoded_name) {
  auto decoded = PercentDecode(encoded_name);
  if (!decoded) return PathVerdict::kMalformed;
  if (decoded->find_first_of("/\\") != std::string::npos || *decoded == "..") {
    return PathVerdict::kTraversal;
  }
  return PathVerdict::kSafe;
}

std::optional<std::string> ResolveStaticPath(const std::string& root, const std::string& url_path) {
  auto decoded = PercentDecode(url_path);
  if (!decoded || decoded->empty() || (*decoded)[0] != '/') return std::nullopt;
  if (decoded->find('\\') != std::string::npos) return std::nullopt;
  fs::path relative = fs::path(decoded->substr(1)).lexically_normal();
  for (const auto& part : relative) {
    if (part == "..") return std::nullopt;
  }
  if (relative.empty() || relative == ".") relative = "index.html";
  std::error_code ec;
  auto base = fs::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  auto full = fs::weakly_canonical(base / relative, ec);
  if (ec) return std::nullopt;
  auto [root_end, ignored] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (root_end != base.end()) return std::nullopt;  // escaped through a symlink
  if (!fs::is_regular_file(full, ec)) return std::nullopt;
  return full.string();
}

std::string ContentTypeFor(const std::string& path) {
  static const std::map<std::string, std::string> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".map", "application/json; charset=utf-8"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
      {".mp4", "video/mp4"},
      {".webm", "video/webm"},
      {".pdf", "application/pdf"}};
  auto extension = fs::path(path).extension().string();
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace throng::router

#include "upload_store.hpp"

#include <filesystem>
#include <fstream>

namespace throng::router {

namespace fs = std::filesystem;

std::string SafeFileName(const std::string& name) {
  std::string safe;
  for (char c : name.substr(0, 100)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    safe += ok ? c : '_';
  }
  while (safe.find("..") != std::string::npos) safe.replace(safe.find(".."), 2, "_");
  if (safe.empty() || safe == ".") safe = "file";
  return safe;
}

UploadStore::UploadStore(std::string dir) : dir_(std::move(dir)), random_(std::random_device{}()) {}

Result<nlohmann::json> UploadStore::Save(const FormPart& part, std::int64_t now_ms) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Fail("cannot create the upload directory: " + ec.message());
  std::uint64_t random;
  {
    std::lock_guard lock(mutex_);
    random = random_() % 1000000000ULL;
  }
  auto filename = std::to_string(now_ms) + "-" + std::to_string(random) + "-" +
                  SafeFileName(part.name) + "-" + SafeFileName(part.filename);
  auto path = (fs::path(dir_) / filename).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(part.body.data(), static_cast<std::streamsize>(part.body.size()));
  out.close();
  if (!out) return Fail("cannot store the uploaded file");
  return nlohmann::json{
      {"fieldname", part.name},
      {"originalname", part.filename},
      {"encoding", "7bit"},
      {"mimetype", part.content_type.empty() ? "application/octet-stream" : part.content_type},
      {"destination", dir_ + "/"},
      {"filename", filename},
      {"path", path},
      {"size", part.body.size()}};
}

std::optional<std::string> UploadStore::PathFor(const std::string& filename) const {
  if (filename.empty() || SafeFileName(filename) != filename) return std::nullopt;
  auto path = fs::path(dir_) / filename;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return std::nullopt;
  return path.string();
}

}  // namespace throng::router

#include "upload_store.hpp"

#include <filesystem>
#include <fstream>

#include "throng/common/random_token.hpp"

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

UploadStore::UploadStore(std::string dir) : dir_(std::move(dir)) {}

std::string UploadStore::RunDir(const std::string& task_run_id) const {
  return (fs::path(dir_) / ("run-" + SafeFileName(task_run_id))).string();
}

Result<nlohmann::json> UploadStore::Save(const std::string& task_run_id, const FormPart& part,
                                         std::int64_t now_ms) {
  const auto dir = RunDir(task_run_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail("cannot create the upload directory: " + ec.message());
  auto filename = std::to_string(now_ms) + "-" + RandomHex(16) + "-" + SafeFileName(part.name) +
                  "-" + SafeFileName(part.filename);
  auto path = (fs::path(dir) / filename).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(part.body.data(), static_cast<std::streamsize>(part.body.size()));
  out.close();
  if (!out) return Fail("cannot store the uploaded file");
  return nlohmann::json{
      {"fieldname", part.name},
      {"originalname", part.filename},
      {"encoding", "7bit"},
      {"mimetype", part.content_type.empty() ? "application/octet-stream" : part.content_type},
      {"destination", dir + "/"},
      {"filename", filename},
      {"path", path},
      {"size", part.body.size()}};
}

std::optional<std::string> UploadStore::PathFor(const std::string& task_run_id,
                                                const std::string& filename) const {
  if (filename.empty() || SafeFileName(filename) != filename) return std::nullopt;
  auto path = fs::path(RunDir(task_run_id)) / filename;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return std::nullopt;
  return path.string();
}

}  // namespace throng::router

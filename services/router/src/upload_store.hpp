#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "multipart_form.hpp"
#include "throng/common/error.hpp"

namespace throng::router {

// Files workers upload with their submissions, kept in one directory under unique names so
// that the requester can fetch them later (GET /download_file/<name>). Describes each file
// the way Mephisto's router (multer) does, which is what task code reads.
class UploadStore {
 public:
  explicit UploadStore(std::string dir);

  // Writes the part to disk; returns {fieldname, originalname, encoding, mimetype,
  // destination, filename, path, size}.
  Result<nlohmann::json> Save(const FormPart& part, std::int64_t now_ms);
  // The path of a stored upload, or nullopt for anything that is not exactly one of ours.
  std::optional<std::string> PathFor(const std::string& filename) const;

 private:
  std::string dir_;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

// Keeps letters, digits, '.', '-' and '_'; anything else becomes '_'. Never empty, no "..".
std::string SafeFileName(const std::string& name);

}  // namespace throng::router

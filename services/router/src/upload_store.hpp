#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "multipart_form.hpp"
#include "throng/common/error.hpp"

namespace throng::router {

// Files workers upload with their submissions, kept in one directory per task run under names
// nobody can guess (128 random bits), so that the run's pages can fetch them later
// (GET /download_file/<name>) and no other run's can. Describes each file the way Mephisto's
// router (multer) does, which is what task code reads.
class UploadStore {
 public:
  explicit UploadStore(std::string dir);

  // Writes the part to disk; returns {fieldname, originalname, encoding, mimetype,
  // destination, filename, path, size}.
  Result<nlohmann::json> Save(const std::string& task_run_id, const FormPart& part,
                              std::int64_t now_ms);
  // The path of an upload of that run, or nullopt for anything that is not exactly one of its.
  std::optional<std::string> PathFor(const std::string& task_run_id,
                                     const std::string& filename) const;

 private:
  std::string RunDir(const std::string& task_run_id) const;

  std::string dir_;
};

// Keeps letters, digits, '.', '-' and '_'; anything else becomes '_'. Never empty, no "..".
std::string SafeFileName(const std::string& name);

}  // namespace throng::router

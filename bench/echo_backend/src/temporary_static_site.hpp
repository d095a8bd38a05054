#pragma once

#include <filesystem>

namespace throng::echo {

// A fresh directory in the system's temporary directory holding a one-line index.html: the
// frontend the echo announces when none is given. Removed again on destruction.
class TemporaryStaticSite {
 public:
  TemporaryStaticSite();  // throws std::filesystem::filesystem_error
  ~TemporaryStaticSite();
  TemporaryStaticSite(const TemporaryStaticSite&) = delete;
  TemporaryStaticSite& operator=(const TemporaryStaticSite&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace throng::echo

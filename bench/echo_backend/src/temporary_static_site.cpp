#include "temporary_static_site.hpp"

#include <fstream>
#include <system_error>

#include "throng/common/random_token.hpp"

namespace throng::echo {

TemporaryStaticSite::TemporaryStaticSite()
    : path_(std::filesystem::temp_directory_path() / ("throng-echo-" + RandomHex(6))) {
  std::filesystem::create_directory(path_);
  std::ofstream(path_ / "index.html") << "<!doctype html><title>echo</title><p>echo task</p>\n";
}

TemporaryStaticSite::~TemporaryStaticSite() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace throng::echo

#include "static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "unique_temp_path.hpp"

namespace throng::router {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::UniqueTempPath("throng_static_test") / "static";
    fs::create_directories(root_ / "assets");
    std::ofstream(root_ / "index.html") << "<p>index</p>";
    std::ofstream(root_ / "assets" / "app.js") << "1";
    std::ofstream(root_.parent_path() / "secret.txt") << "secret";
  }
  void TearDown() override { fs::remove_all(root_.parent_path()); }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesInsideTheRoot) {
  EXPECT_EQ(ResolveStaticPath(root_, "/"), (root_ / "index.html").string());
  EXPECT_EQ(ResolveStaticPath(root_, "/assets/app.js"), (root_ / "assets" / "app.js").string());
  EXPECT_EQ(ResolveStaticPath(root_, "/assets/%61pp.js"), (root_ / "assets" / "app.js").string());
}

TEST_F(StaticFilesTest, RefusesTraversalInEveryDisguise) {
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/..%2fsecret.txt", "/assets/..%5c..%5csecret.txt", "/index.html%00.js",
                           "/%zz", "/%2", "relative.txt", "/missing.html"}) {
    EXPECT_FALSE(ResolveStaticPath(root_, path)) << path;
  }
}

TEST_F(StaticFilesTest, RefusesSymlinksLeadingOutside) {
  fs::create_symlink(root_.parent_path() / "secret.txt", root_ / "link.txt");
  EXPECT_FALSE(ResolveStaticPath(root_, "/link.txt"));
}

TEST(ContentType, KnowsCommonTypes) {
  EXPECT_EQ(ContentTypeFor("a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("bundle.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace throng::router

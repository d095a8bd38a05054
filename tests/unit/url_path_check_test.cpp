#include <gtest/gtest.h>

#include "static_files.hpp"

namespace throng::router {
namespace {

TEST(CheckUrlPath, LetsOrdinaryPathsThrough) {
  for (const char* path : {"/", "/index.html", "/assets/app.js", "/assets/%61pp.js", "/a..b/c",
                           "/..hidden", "/x/.../y"}) {
    EXPECT_EQ(CheckUrlPath(path), PathVerdict::kSafe) << path;
  }
}

TEST(CheckUrlPath, NamesTraversalInEveryDisguise) {
  for (const char* path : {"/../secret", "/assets/../../secret", "/%2e%2e/secret",
                           "/assets/..%2f..%2fsecret", "/..%5csecret", "/a\\b", "/.."}) {
    EXPECT_EQ(CheckUrlPath(path), PathVerdict::kTraversal) << path;
  }
}

TEST(CheckUrlPath, NamesBrokenEscapes) {
  for (const char* path : {"/%zz", "/%2", "/index.html%00.js"}) {
    EXPECT_EQ(CheckUrlPath(path), PathVerdict::kMalformed) << path;
  }
}

TEST(CheckFileName, AllowsOnlyASingleName) {
  EXPECT_EQ(CheckFileName("1700000000000-42-attachment-a.txt"), PathVerdict::kSafe);
  EXPECT_EQ(CheckFileName("..%2fsecret"), PathVerdict::kTraversal);
  EXPECT_EQ(CheckFileName("a%2Fb"), PathVerdict::kTraversal);
  EXPECT_EQ(CheckFileName("..%5csecret"), PathVerdict::kTraversal);
  EXPECT_EQ(CheckFileName(".."), PathVerdict::kTraversal);
  EXPECT_EQ(CheckFileName("%zz"), PathVerdict::kMalformed);
}

}  // namespace
}  // namespace throng::router

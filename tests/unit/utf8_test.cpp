#include "utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace throng::router {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  for (const std::string text : {"", "plain ascii", "h\xc3\xa9llo", "\xe2\x82\xac 5",
                                 "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
  }
}

TEST(Utf8, RefusesEveryIllFormedSequence) {
  const char* cases[] = {
      "\xff",              // never valid
      "\x80",              // a lone continuation byte
      "\xc3",              // truncated two-byte sequence
      "\xe2\x82",          // truncated three-byte sequence
      "\xc0\xaf",          // overlong '/'
      "\xe0\x80\xaf",      // overlong '/' in three bytes
      "\xf0\x80\x80\xaf",  // overlong '/' in four bytes
      "\xed\xa0\x80",      // a UTF-16 surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf5\x80\x80\x80",  // lead byte beyond the range
      "ok\xc3(",           // a continuation byte that is not one
  };
  for (const char* text : cases) {
    EXPECT_FALSE(IsValidUtf8(text)) << text;
  }
}

}  // namespace
}  // namespace throng::router

#include "multipart_form.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "unique_temp_path.hpp"
#include "upload_store.hpp"

namespace throng::router {
namespace {

const std::string kBody =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"USED_AGENT_ID\"\r\n\r\n"
    "42\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"final_string_data\"\r\n\r\n"
    "{\"a\":1}\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"photo\"; filename=\"cat pic.png\"\r\n"
    "Content-Type: image/png\r\n\r\n"
    "\x89PNG\r\n\x1a\n--not-a-boundary\r\n"
    "--XyZ--\r\n";

TEST(MultipartForm, BoundaryComesFromTheContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=XyZ"), "XyZ");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data;boundary=\"a b\""), "a b");
  EXPECT_FALSE(MultipartBoundary("application/json"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary="));
}

TEST(MultipartForm, SplitsFieldsAndFilesKeepingBinaryBodies) {
  auto parts = ParseMultipartForm(kBody, "XyZ");
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "USED_AGENT_ID");
  EXPECT_EQ((*parts)[0].body, "42");
  EXPECT_FALSE((*parts)[0].is_file());
  EXPECT_EQ((*parts)[1].body, "{\"a\":1}");
  EXPECT_TRUE((*parts)[2].is_file());
  EXPECT_EQ((*parts)[2].filename, "cat pic.png");
  EXPECT_EQ((*parts)[2].content_type, "image/png");
  EXPECT_EQ((*parts)[2].body, std::string("\x89PNG\r\n\x1a\n--not-a-boundary"));
}

TEST(MultipartForm, MalformedBodiesAreRefusedWithAReason) {
  const std::vector<std::string> bad{
      "",
      "--XyZ",
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
      "--XyZ\r\nno-colon-header\r\n\r\nx\r\n--XyZ--",
      "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
      "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
      "--XyZjunk",
  };
  for (const auto& body : bad) {
    auto parts = ParseMultipartForm(body, "XyZ");
    EXPECT_FALSE(parts) << body;
  }
  std::string many;
  for (int i = 0; i < 5; ++i)
    many += "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  many += "--B--";
  EXPECT_FALSE(ParseMultipartForm(many, "B", 4));
  EXPECT_TRUE(ParseMultipartForm(many, "B", 5));
}

TEST(UploadStore, SavesUnderAnUnguessableSafeNameAndServesOnlyItsRunsFiles) {
  auto dir = testing::UniqueTempPath("throng_uploads_test");
  std::filesystem::remove_all(dir);
  UploadStore store(dir.string());
  FormPart part{"photo", "../../etc/passwd", "text/plain", "hello"};
  auto saved = store.Save("4", part, 1700000000000);
  ASSERT_TRUE(saved) << saved.error().message;
  auto name = (*saved)["filename"].get<std::string>();
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_EQ(name.find(".."), std::string::npos);
  EXPECT_EQ((*saved)["originalname"], "../../etc/passwd");
  EXPECT_EQ((*saved)["size"], 5);
  EXPECT_EQ((*saved)["mimetype"], "text/plain");
  // <ms>-<32 hex digits>-<field>-<file>: 128 random bits between the time and the names.
  auto random = name.substr(name.find('-') + 1, 32);
  EXPECT_EQ(random.find_first_not_of("0123456789abcdef"), std::string::npos) << name;
  EXPECT_EQ(name.substr(name.find('-') + 33, 7), "-photo-") << name;
  auto path = store.PathFor("4", name);
  ASSERT_TRUE(path);
  std::ifstream in(*path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "hello");
  EXPECT_NE(store.Save("4", part, 1700000000000)->at("filename"), name);  // unique
  EXPECT_FALSE(store.PathFor("5", name)) << "served to another run";
  EXPECT_FALSE(store.PathFor("", name));
  for (const char* evil : {"", "..", "../x", "a/b", "missing-file", "../run-4/x"}) {
    EXPECT_FALSE(store.PathFor("4", evil)) << evil;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace throng::router

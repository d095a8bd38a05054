#include "throng/common/shared_text_body.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>

#include "throng/common/http_server.hpp"

namespace throng {
namespace {

std::string Serialize(HttpResponse response) {
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return out.str();
}

HttpRequest Get() {
  HttpRequest request{http::verb::get, "/metrics/router", 11};
  request.keep_alive(true);
  return request;
}

TEST(SharedTextBodyTest, OwnedTextIsSentWithItsLength) {
  auto wire = Serialize(TextResponse(Get(), http::status::ok, "hello\n", "text/plain"));
  EXPECT_NE(wire.find("Content-Length: 6\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.substr(wire.size() - 10), "\r\n\r\nhello\n");
}

TEST(SharedTextBodyTest, SharedTextIsSentUnchangedAndNotCopied) {
  auto text = std::make_shared<const std::string>(std::string(100000, 'x') + "end\n");
  auto response = SharedTextResponse(Get(), http::status::ok, text, "text/plain");
  EXPECT_EQ(response.body().view().data(), text->data());
  EXPECT_EQ(text.use_count(), 2);
  auto wire = Serialize(response);
  EXPECT_NE(wire.find("Content-Length: 100004\r\n"), std::string::npos);
  EXPECT_EQ(wire.substr(wire.size() - 4), "end\n");
  response = HttpResponse();
  EXPECT_EQ(text.use_count(), 1);
}

TEST(SharedTextBodyTest, AssigningOrClearingDropsTheSharedText) {
  auto text = std::make_shared<const std::string>("shared");
  HttpResponse response;
  response.body().Share(text);
  EXPECT_EQ(response.body().view(), "shared");
  response.body() = std::string("own");
  EXPECT_EQ(response.body().view(), "own");
  EXPECT_EQ(text.use_count(), 1);
  response.body().Share(text);
  response.body().clear();
  EXPECT_EQ(response.body().size(), 0u);
  EXPECT_EQ(text.use_count(), 1);
}

}  // namespace
}  // namespace throng

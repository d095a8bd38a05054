#include "throng/common/config_source.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>

#include "unique_temp_path.hpp"

namespace throng {
namespace {

class ConfigSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::UniqueTempPath("throng_config_test.yaml").string();
    std::ofstream(path_) << "port: 4000\nredis_url: redis://file:1\nrequest_timeout: 12.5\n";
    unsetenv("THRONG_PORT");
    unsetenv("THRONG_REDIS_URL");
    unsetenv("THRONG_CONFIG");
  }
  void TearDown() override {
    unsetenv("THRONG_PORT");
    unsetenv("THRONG_REDIS_URL");
    std::remove(path_.c_str());
  }
  std::string path_;
};

TEST_F(ConfigSourceTest, CommandLineBeatsEnvironmentBeatsFileBeatsDefault) {
  std::map<std::string, docopt::value> args{{"--config", docopt::value(path_)},
                                            {"--port", docopt::value(std::string("5000"))},
                                            {"--redis-url", docopt::value()}};
  setenv("THRONG_PORT", "4500", 1);
  setenv("THRONG_REDIS_URL", "redis://env:2", 1);
  auto source = ConfigSource::Load(args);
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ(*source->GetInt("port", 1), 5000);
  EXPECT_EQ(source->GetString("redis_url", "x"), "redis://env:2");
  EXPECT_DOUBLE_EQ(*source->GetDouble("request_timeout", 30), 12.5);
  EXPECT_EQ(source->GetString("log_level", "info"), "info");
}

TEST_F(ConfigSourceTest, ReportsBadNumbersWithTheKeyAndHowToSetIt) {
  std::map<std::string, docopt::value> args{{"--port", docopt::value(std::string("30x"))}};
  auto source = ConfigSource::Load(args);
  ASSERT_TRUE(source);
  auto port = source->GetInt("port", 1);
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("--port"), std::string::npos);
  EXPECT_NE(port.error().message.find("THRONG_PORT"), std::string::npos);
}

TEST_F(ConfigSourceTest, FailsOnAMissingOrInvalidFile) {
  std::map<std::string, docopt::value> missing{
      {"--config", docopt::value(std::string("/nonexistent/x.yaml"))}};
  EXPECT_FALSE(ConfigSource::Load(missing));
  std::ofstream(path_) << "port: [unclosed\n";
  std::map<std::string, docopt::value> invalid{{"--config", docopt::value(path_)}};
  EXPECT_FALSE(ConfigSource::Load(invalid));
}

}  // namespace
}  // namespace throng

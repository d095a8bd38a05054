#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "throng/common/error.hpp"

struct redisContext;

namespace throng {

// A blocking hiredis connection with connect and command timeouts, reconnecting on the next
// call after any failure. Not thread-safe: one per thread. Never used on request paths.
class RedisClient {
 public:
  RedisClient(std::string url, std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command given as separate arguments (binary-safe). Returns the reply as
  // strings: a status/string/integer reply gives one element, an array one per element
  // (a nil element is std::nullopt).
  Result<std::vector<std::optional<std::string>>> Command(const std::vector<std::string>& args);
  bool Connected() const { return context_ != nullptr; }
  const std::string& url() const { return url_; }

 private:
  Result<void> Connect();
  void Disconnect();

  std::string url_;
  std::string host_;
  int port_ = 6379;
  std::string unix_path_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace throng

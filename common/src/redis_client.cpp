#include "throng/common/redis_client.hpp"

#include <hiredis/hiredis.h>

namespace throng {

RedisClient::RedisClient(std::string url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {
  // Accepted forms: redis://host:port, host:port, unix:///path/to.sock
  std::string rest = url_;
  if (rest.rfind("unix://", 0) == 0) {
    unix_path_ = rest.substr(7);
    return;
  }
  if (rest.rfind("redis://", 0) == 0) rest = rest.substr(8);
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (colon != std::string::npos) {
    try {
      port_ = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      port_ = 0;  // reported by Connect()
    }
  }
  if (host_.empty()) host_ = "127.0.0.1";
}

RedisClient::~RedisClient() { Disconnect(); }

void RedisClient::Disconnect() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

Result<void> RedisClient::Connect() {
  if (context_) return {};
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  if (unix_path_.empty() && (port_ <= 0 || port_ > 65535)) {
    return Fail("invalid Redis URL '" + url_ + "'");
  }
  redisContext* context = unix_path_.empty() ? redisConnectWithTimeout(host_.c_str(), port_, tv)
                                             : redisConnectUnixWithTimeout(unix_path_.c_str(), tv);
  if (!context) return Fail("cannot allocate a Redis context");
  if (context->err) {
    std::string reason = context->errstr;
    redisFree(context);
    return Fail("cannot connect to Redis at " + url_ + " (" + reason + ")");
  }
  redisSetTimeout(context, tv);
  context_ = context;
  return {};
}

Result<std::vector<std::optional<std::string>>> RedisClient::Command(
    const std::vector<std::string>& args) {
  if (auto connected = Connect(); !connected) return tl::unexpected(connected.error());
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (!reply) {
    std::string reason = context_->errstr;
    Disconnect();
    return Fail("Redis command failed at " + url_ + " (" + reason + ")");
  }
  std::vector<std::optional<std::string>> result;
  auto convert = [](const redisReply* r) -> std::optional<std::string> {
    switch (r->type) {
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS:
        return std::string(r->str, r->len);
      case REDIS_REPLY_INTEGER:
        return std::to_string(r->integer);
      default:
        return std::nullopt;
    }
  };
  std::optional<Error> error;
  if (reply->type == REDIS_REPLY_ERROR) {
    error = Error{"Redis error: " + std::string(reply->str, reply->len)};
  } else if (reply->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < reply->elements; ++i) result.push_back(convert(reply->element[i]));
  } else {
    result.push_back(convert(reply));
  }
  freeReplyObject(reply);
  if (error) return tl::unexpected(*error);
  return result;
}

}  // namespace throng

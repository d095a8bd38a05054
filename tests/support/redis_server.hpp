#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "throng/common/redis_client.hpp"
#include "unique_temp_path.hpp"

namespace throng::testing {

// A TCP port on 127.0.0.1 that nothing listens on right now. Drawn below Linux's ephemeral
// range (32768-60999), so outgoing connections cannot take it before it is bound (the same
// rule as deploy/local/services.sh).
inline std::uint16_t FreeLoopbackPort() {
  std::random_device device;
  std::uniform_int_distribution<int> pick(20000, 31999);
  for (;;) {
    auto port = static_cast<std::uint16_t>(pick(device));
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    if (free) return port;
  }
}

// A private redis-server (Debian package redis-server) on a free loopback port, without
// persistence, that a test may stop and start again, empty, on the same port.
class RedisServer {
 public:
  RedisServer()
      : port_(FreeLoopbackPort()), dir_(UniqueTempPath("redis_" + std::to_string(port_))) {
    std::filesystem::create_directories(dir_);
    Start();
  }
  ~RedisServer() {
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  void Start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"redis-server", "--bind", "127.0.0.1", "--port",
                                 std::to_string(port_), "--save", "", "--appendonly", "no", "--dir",
                                 dir_.string()},
        dir_ / "redis.log");
    RedisClient client(Url(), std::chrono::milliseconds(200));
    for (int i = 0; i < 100; ++i) {
      if (client.Command({"PING"})) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("redis-server did not answer on port " + std::to_string(port_));
  }
  // Like a crash or a restart without persistence: everything in it is lost.
  void Stop() {
    if (process_) process_->Stop(SIGTERM);
    process_.reset();
  }
  std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace throng::testing

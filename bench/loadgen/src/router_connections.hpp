#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

#include "http_client.hpp"
#include "target_url.hpp"
#include "ws_client.hpp"

namespace throng::loadgen {

// The router under load as the simulated browsers reach it: its URL, its address resolved
// once, the io context every connection runs on, and the longest wait for any answer.
class RouterConnections {
 public:
  RouterConnections(boost::asio::io_context& io, TargetUrl target,
                    boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout)
      : io_(io), target_(std::move(target)), endpoint_(endpoint), timeout_(timeout) {}

  boost::asio::io_context& io() const { return io_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  std::shared_ptr<HttpClient> Http() const {
    return std::make_shared<HttpClient>(io_, target_, endpoint_, timeout_);
  }
  std::shared_ptr<WsClient> Ws(WsClient::Handlers handlers) const {
    return std::make_shared<WsClient>(io_, target_, endpoint_, std::move(handlers));
  }

 private:
  boost::asio::io_context& io_;
  TargetUrl target_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::chrono::milliseconds timeout_;
};

}  // namespace throng::loadgen

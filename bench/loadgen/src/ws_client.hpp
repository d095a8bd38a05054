#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "target_url.hpp"

namespace throng::loadgen {

// One page's WebSocket to the router (ws://host:port/, as mephisto-task opens it): text frames
// out in order, one write at a time, and every frame in handed to `on_frame`. `on_closed` runs
// once, when the socket fails or the server closes it (not after Close()).
class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  struct Handlers {
    std::function<void(std::string_view frame)> on_frame;
    std::function<void(const std::string& why)> on_closed;
  };

  WsClient(boost::asio::io_context& io, const TargetUrl& target,
           boost::asio::ip::tcp::endpoint endpoint, Handlers handlers);

  // `opened` gets an empty string once the handshake is done, or what failed.
  void Open(std::chrono::milliseconds timeout, std::function<void(const std::string&)> opened);
  void Send(std::string text);
  void Close();
  bool open() const { return open_; }
  std::size_t queued() const { return outbox_.size(); }

 private:
  void Read();
  void WriteNext();
  void Lost(const std::string& why);

  const TargetUrl& target_;
  boost::asio::ip::tcp::endpoint endpoint_;
  Handlers handlers_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
};

}  // namespace throng::loadgen

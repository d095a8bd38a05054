#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "throng/common/http_server.hpp"

namespace throng::router {

class LiveHub;

// One browser WebSocket (same port as HTTP, any path): reads text frames and hands them to
// the hub, writes queued frames one at a time. Lives on the io thread; owned by its pending
// operations, so it ends when the socket closes.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::beast::tcp_stream&& stream, LiveHub& hub, std::size_t frame_limit,
            std::uint64_t id);

  void Start(HttpRequest request);
  // Queues one text frame; frames go out in order.
  void Send(std::string text);
  // Sends a close frame with a code and reason; the hub hears OnClosed afterwards.
  void Close(boost::beast::websocket::close_code code, const std::string& reason);

  std::uint64_t id() const { return id_; }
  const std::string& agent_id() const { return agent_id_; }
  void set_agent_id(std::string agent_id) { agent_id_ = std::move(agent_id); }
  bool open() const { return open_; }
  // Token bucket: false when the client sends faster than `rate` frames/s (burst 2x).
  bool TakeToken(double now_seconds, double rate);

 private:
  void Read();
  void Write();
  void Closed();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  LiveHub& hub_;
  std::uint64_t id_;
  std::string agent_id_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  double tokens_ = -1;
  double last_refill_ = 0;
};

}  // namespace throng::router

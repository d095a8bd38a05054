#pragma once

#include <boost/asio/steady_timer.hpp>
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
class RouterProbe;

// The transport settings of every browser WebSocket: the largest message, the server-role
// timeouts, and the Server header of the handshake response. One function for the sessions and
// the frame fuzzer (tests/fuzz/fuzz_ws_frames.cpp), so the fuzzer reads frames exactly as the
// router does.
template <class NextLayer>
void ConfigureBrowserWebsocket(boost::beast::websocket::stream<NextLayer>& ws,
                               std::size_t frame_limit) {
  namespace websocket = boost::beast::websocket;
  ws.read_message_max(frame_limit);
  ws.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(boost::beast::http::field::server, "throng-router");
  }));
}

// One browser WebSocket (same port as HTTP, any path): reads text frames and hands them to
// the hub, writes queued frames one at a time. Judges the transport itself (invalid UTF-8,
// protocol errors, a peer that stops reading) and the hub judges the packets. Lives on the io
// thread; owned by its pending operations, so it ends when the socket closes.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  static constexpr std::size_t kDefaultSendQueueLimit = 8 * 1024 * 1024;
  // How long a closing handshake may take before the TCP connection is dropped: a peer that
  // does not read never receives the close frame.
  static constexpr std::chrono::seconds kCloseGrace{5};

  // `probe` may be null (harnesses that only exercise packet handling); `send_queue_limit` is
  // how many bytes may wait for a peer that does not read before it is closed.
  WsSession(boost::beast::tcp_stream&& stream, LiveHub& hub, std::size_t frame_limit,
            std::uint64_t id, RouterProbe* probe = nullptr,
            std::size_t send_queue_limit = kDefaultSendQueueLimit);

  void Start(HttpRequest request);
  // Queues one text frame; frames go out in order. `on_written` runs once the frame is
  // written to the connection (never if the socket closes first). Closes a slow consumer
  // (1008) when the frames waiting behind the one being written exceed the send queue limit.
  void Send(std::string text, std::function<void()> on_written = {});
  // Sends a close frame with a code and reason; the hub hears OnClosed afterwards.
  void Close(boost::beast::websocket::close_code code, const std::string& reason);

  std::uint64_t id() const { return id_; }
  const std::string& agent_id() const { return agent_id_; }
  void set_agent_id(std::string agent_id) { agent_id_ = std::move(agent_id); }
  // True while frames sent now can still reach the browser (open and not closing).
  bool open() const { return open_ && !closing_; }
  // Token bucket: false when the client sends faster than `rate` frames/s (burst 2x).
  bool TakeToken(double now_seconds, double rate);

 private:
  void Read();
  void Write();
  void Closed();
  void Rejected(const char* reason);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  LiveHub& hub_;
  std::uint64_t id_;
  RouterProbe* probe_;
  std::size_t send_queue_limit_;
  std::string agent_id_;
  boost::beast::flat_buffer buffer_;
  struct Frame {
    std::string text;
    std::function<void()> on_written;
  };
  std::deque<Frame> outbox_;  // the front is being written while writing_
  std::size_t outbox_bytes_ = 0;
  boost::asio::steady_timer close_deadline_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  double tokens_ = -1;
  double last_refill_ = 0;
};

}  // namespace throng::router

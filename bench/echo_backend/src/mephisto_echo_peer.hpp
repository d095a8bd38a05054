#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mephisto_frame_echo.hpp"
#include "packet_counters.hpp"
#include "throng/common/clock.hpp"

namespace throng::echo {

// A router's WebSocket address, split for connecting.
struct WebSocketUrl {
  std::string host;
  std::string port;    // "80" when the URL names none
  std::string target;  // "/" when the URL names no path
};
// ws://host[:port][/path]; nullopt for anything else (wss is not spoken).
std::optional<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

struct MephistoEchoOptions {
  WebSocketUrl router;
  std::chrono::milliseconds reconnect_delay{200};   // as Mephisto's channel waits
  std::chrono::milliseconds status_interval{4000};  // Mephisto's STATUS_CHECK_TIME
  std::chrono::milliseconds stats_interval{0};      // 0: no periodic log
};

// Plays Mephisto's Python server against any Mephisto-compatible router: one WebSocket client
// connection, answered frame by frame through a MephistoFrameEcho, reopened whenever it drops.
// Run() serves on the calling thread; only RequestStop() may be called from another.
class MephistoEchoPeer {
 public:
  MephistoEchoPeer(MephistoEchoOptions options, const Clock& clock, PacketCounters& counters);
  ~MephistoEchoPeer();

  // Serves until RequestStop().
  void Run();
  void RequestStop();

 private:
  using WebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  // One attempt at a connection; callbacks of an abandoned one find it is no longer current.
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : ws(io) {}
    WebSocket ws;
    boost::beast::flat_buffer read_buffer;
    std::deque<OutgoingFrame> unsent;
    bool writing = false;
  };
  using ConnectionPtr = std::shared_ptr<Connection>;

  void Connect();
  void OnOpen(const ConnectionPtr& connection);
  void Read(const ConnectionPtr& connection);
  void Send(const ConnectionPtr& connection, OutgoingFrame frame);
  void WriteNext(const ConnectionPtr& connection);
  // Abandons `connection` (if still current) and tries again after the reconnect delay.
  void Drop(const ConnectionPtr& connection, const boost::beast::error_code& error,
            const char* during);
  void RequestStatusesLater();
  void LogStatsLater();

  MephistoEchoOptions options_;
  PacketCounters& counters_;
  MephistoFrameEcho echo_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer stats_timer_;
  ConnectionPtr current_;
  std::vector<OutgoingFrame> answers_;  // reused per frame
};

}  // namespace throng::echo

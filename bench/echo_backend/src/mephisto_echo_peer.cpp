#include "mephisto_echo_peer.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>

namespace throng::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

std::optional<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  auto rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  WebSocketUrl parsed;
  parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  auto colon = authority.rfind(':');
  // A bracketed IPv6 address has colons of its own.
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    auto port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return std::nullopt;
    }
    parsed.port = std::string(port);
    authority = authority.substr(0, colon);
  } else {
    parsed.port = "80";
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) return std::nullopt;
  parsed.host = std::string(authority);
  return parsed;
}

MephistoEchoPeer::MephistoEchoPeer(MephistoEchoOptions options, const Clock& clock,
                                   PacketCounters& counters)
    : options_(std::move(options)),
      counters_(counters),
      echo_(clock, counters),
      resolver_(io_),
      reconnect_timer_(io_),
      status_timer_(io_),
      stats_timer_(io_) {}

MephistoEchoPeer::~MephistoEchoPeer() = default;

void MephistoEchoPeer::Run() {
  Connect();
  RequestStatusesLater();
  if (options_.stats_interval.count() > 0) LogStatsLater();
  io_.run();
}

void MephistoEchoPeer::RequestStop() { io_.stop(); }

void MephistoEchoPeer::Connect() {
  auto connection = std::make_shared<Connection>(io_);
  current_ = connection;
  resolver_.async_resolve(
      options_.router.host, options_.router.port,
      [this, connection](beast::error_code error, asio::ip::tcp::resolver::results_type results) {
        if (error) return Drop(connection, error, "resolve");
        beast::get_lowest_layer(connection->ws).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(connection->ws)
            .async_connect(results, [this, connection](beast::error_code connect_error,
                                                       const asio::ip::tcp::endpoint&) {
              if (connect_error) return Drop(connection, connect_error, "connect");
              connection->ws.async_handshake(
                  options_.router.host + ":" + options_.router.port, options_.router.target,
                  [this, connection](beast::error_code handshake_error) {
                    if (handshake_error) return Drop(connection, handshake_error, "handshake");
                    OnOpen(connection);
                  });
            });
      });
}

void MephistoEchoPeer::OnOpen(const ConnectionPtr& connection) {
  if (connection != current_) return;
  beast::get_lowest_layer(connection->ws).expires_never();
  // A quiet router is not a dead one: no idle timeout, as for Mephisto's own client.
  connection->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  connection->ws.text(true);
  spdlog::info("connected to the router at {}:{}{}", options_.router.host, options_.router.port,
               options_.router.target);
  Send(connection, echo_.Alive());
  Read(connection);
}

void MephistoEchoPeer::Read(const ConnectionPtr& connection) {
  connection->ws.async_read(
      connection->read_buffer, [this, connection](beast::error_code error, std::size_t) {
        if (error) return Drop(connection, error, "read");
        if (connection != current_) return;
        auto& buffer = connection->read_buffer;
        std::string_view frame(static_cast<const char*>(buffer.data().data()), buffer.size());
        answers_.clear();
        echo_.Answer(frame, answers_);
        buffer.consume(buffer.size());
        for (auto& answer : answers_) Send(connection, std::move(answer));
        Read(connection);
      });
}

void MephistoEchoPeer::Send(const ConnectionPtr& connection, OutgoingFrame frame) {
  connection->unsent.push_back(std::move(frame));
  if (!connection->writing) WriteNext(connection);
}

void MephistoEchoPeer::WriteNext(const ConnectionPtr& connection) {
  if (connection->unsent.empty() || connection != current_) {
    connection->writing = false;
    return;
  }
  connection->writing = true;
  const auto& frame = connection->unsent.front();
  connection->ws.async_write(asio::buffer(frame.text),
                             [this, connection](beast::error_code error, std::size_t) {
                               if (error) return Drop(connection, error, "write");
                               if (connection != current_) return;  // counted as dropped
                               counters_.Sent(connection->unsent.front().packet_type);
                               connection->unsent.pop_front();
                               WriteNext(connection);
                             });
}

void MephistoEchoPeer::Drop(const ConnectionPtr& connection, const beast::error_code& error,
                            const char* during) {
  if (connection != current_) return;
  current_.reset();
  // The frames stay with the connection (a write in flight still reads its frame) until its
  // last callback lets it go.
  for (std::size_t i = 0; i < connection->unsent.size(); ++i) counters_.Dropped();
  beast::error_code ignored;
  beast::get_lowest_layer(connection->ws).socket().close(ignored);
  spdlog::warn("router connection lost ({}: {}); reconnecting in {} ms", during, error.message(),
               options_.reconnect_delay.count());
  reconnect_timer_.expires_after(options_.reconnect_delay);
  reconnect_timer_.async_wait([this](beast::error_code timer_error) {
    if (!timer_error) Connect();
  });
}

void MephistoEchoPeer::RequestStatusesLater() {
  status_timer_.expires_after(options_.status_interval);
  status_timer_.async_wait([this](beast::error_code error) {
    if (error) return;
    if (current_ && current_->ws.is_open()) Send(current_, echo_.RequestStatuses());
    RequestStatusesLater();
  });
}

void MephistoEchoPeer::LogStatsLater() {
  stats_timer_.expires_after(options_.stats_interval);
  stats_timer_.async_wait([this](beast::error_code error) {
    if (error) return;
    spdlog::info("counters {}", counters_.ToJson());
    LogStatsLater();
  });
}

}  // namespace throng::echo

#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace throng::testing {

// A browser's WebSocket to a router on 127.0.0.1, driven synchronously by the test.
class WsClient {
 public:
  // `receive_buffer` > 0 shrinks the socket's receive buffer, for clients that stop reading.
  explicit WsClient(std::uint16_t port, int receive_buffer = 0) : ws_(io_) {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    auto& socket = ws_.next_layer();
    socket.open(endpoint.protocol());
    if (receive_buffer > 0)
      socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket.connect(endpoint);
    ws_.handshake("127.0.0.1", "/");
    socket.set_option(asio::socket_base::linger(true, 0));
  }
  void Send(const std::string& text) {
    ws_.text(true);
    ws_.write(boost::asio::buffer(text));
  }
  void Send(const nlohmann::json& packet) { Send(packet.dump()); }
  void SendBinary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(boost::asio::buffer(bytes));
  }
  // Bytes straight onto the TCP connection, bypassing the WebSocket framing.
  void SendRaw(const std::string& bytes) {
    boost::asio::write(ws_.next_layer(), boost::asio::buffer(bytes));
  }
  // The next packet, or a JSON object {"closed": code} once the server closed the socket
  // (code 0 when the connection ended without a close frame).
  nlohmann::json Next() {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return nlohmann::json{{"closed", static_cast<int>(ws_.reason().code)}};
    return nlohmann::json::parse(boost::beast::buffers_to_string(buffer.data()));
  }
  // Reads and discards packets until the server closes; returns the close code.
  int NextClose() {
    for (;;) {
      auto packet = Next();
      if (packet.contains("closed")) return packet["closed"].get<int>();
    }
  }
  void Drop() { ws_.next_layer().close(); }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

struct HttpReply {
  int status = 0;  // 0: no response (the connection failed or closed)
  std::string body;
  std::string content_type;
  // The body as JSON, or a discarded value if it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:<port>; requests go out one at a time.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : stream_(io_) {
    stream_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }

  // `target` is sent exactly as given (no normalisation), so tests can send any path.
  HttpReply Call(boost::beast::http::verb method, const std::string& target,
                 const std::string& body = {}, const std::string& content_type = "application/json",
                 const std::string& cookie = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty() || method == http::verb::post) {
      request.set(http::field::content_type, content_type);
      request.body() = body;
    }
    if (!cookie.empty()) request.set(http::field::cookie, cookie);
    request.keep_alive(true);
    request.prepare_payload();
    HttpReply reply;
    boost::beast::error_code ec;
    http::write(stream_, request, ec);
    // A write refused half-way (the server answered early and closed) still has an answer.
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream_, buffer, response, ec);
    if (ec) {
      reply.body = ec.message();
      return reply;
    }
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    reply.content_type = std::string(response[http::field::content_type]);
    return reply;
  }
  HttpReply Get(const std::string& target) { return Call(boost::beast::http::verb::get, target); }
  HttpReply Post(const std::string& target, const std::string& body,
                 const std::string& content_type = "application/json") {
    return Call(boost::beast::http::verb::post, target, body, content_type);
  }

  // A single request on a fresh connection.
  static HttpReply Once(std::uint16_t port, boost::beast::http::verb method,
                        const std::string& target, const std::string& body = {},
                        const std::string& content_type = "application/json") {
    try {
      HttpClient client(port);
      return client.Call(method, target, body, content_type);
    } catch (const std::exception& e) {
      return HttpReply{0, e.what(), {}};
    }
  }

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
};

}  // namespace throng::testing

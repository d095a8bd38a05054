#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "throng/common/error.hpp"
#include "throng/common/shared_text_body.hpp"

namespace throng {

namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<SharedTextBody>;

// Answers exactly one request. May be kept and called later from any thread (requests held
// until the operator answers); answering twice or after the client left is harmless.
class HttpResponder {
 public:
  virtual ~HttpResponder() = default;
  virtual void Send(HttpResponse response) = 0;
  virtual const std::string& RemoteAddress() const = 0;
};

using HttpHandler = std::function<void(HttpRequest&& request, std::shared_ptr<HttpResponder>)>;

// Takes over a connection whose request asks for a WebSocket upgrade (same port as HTTP).
using UpgradeHandler =
    std::function<void(HttpRequest&& request, boost::beast::tcp_stream&& stream)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port; read it back with Port()
  std::size_t body_limit = 1024 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::string server_name = "throng";
};

// A small Beast HTTP/1.1 server: keep-alive, one request at a time per connection, body size
// limit, JSON errors for malformed requests. Runs on the io_context it is given, which one
// thread runs: handlers need no strand (a strand per connection cost a tenth of the router's
// time under load).
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpHandler handler,
             UpgradeHandler upgrade = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; fails with a message naming the address when it cannot bind.
  Result<void> Start();
  // Stops accepting new connections; connections in progress finish on their own.
  void Stop();
  std::uint16_t Port() const { return port_; }

 private:
  void Accept();

  boost::asio::io_context& io_;
  HttpServerOptions options_;
  std::shared_ptr<HttpHandler> handler_;
  std::shared_ptr<UpgradeHandler> upgrade_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
};

// Builds a JSON response with the right content type and keep-alive flag.
HttpResponse JsonResponse(const HttpRequest& request, http::status status, std::string body);
HttpResponse TextResponse(const HttpRequest& request, http::status status, std::string body,
                          const std::string& content_type);
// The same, sending `body` without copying it (it must never change afterwards).
HttpResponse SharedTextResponse(const HttpRequest& request, http::status status,
                                std::shared_ptr<const std::string> body,
                                const std::string& content_type);
// {"status":"error","error":<message>} with the given status code.
HttpResponse JsonError(const HttpRequest& request, http::status status, const std::string& message);

}  // namespace throng

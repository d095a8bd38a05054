#include "throng/common/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>
#include <optional>

namespace throng {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// One TCP connection. Reads a request, hands it to the handler, waits for the responder,
// writes the response, then reads the next one if the connection is kept alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, const HttpServerOptions& options,
              std::shared_ptr<HttpHandler> handler, std::shared_ptr<UpgradeHandler> upgrade)
      : stream_(std::move(socket)),
        options_(options),
        handler_(std::move(handler)),
        upgrade_(std::move(upgrade)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? std::string("unknown") : endpoint.address().to_string();
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Called through the responder, possibly from another thread.
  void Deliver(std::uint64_t request_number, HttpResponse response) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), request_number,
                                        response = std::move(response)]() mutable {
      self->Write(request_number, std::move(response));
    });
  }

  const std::string& remote() const { return remote_; }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(options_.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      Close();
      return;
    }
    if (ec) {
      // Malformed request: answer with a clear error and close, since the stream is unusable.
      HttpRequest dummy;
      dummy.version(11);
      dummy.keep_alive(false);
      auto status = ec == http::error::body_limit ? http::status::payload_too_large
                                                  : http::status::bad_request;
      std::string reason = ec == http::error::body_limit
                               ? "request body exceeds the limit of " +
                                     std::to_string(options_.body_limit) + " bytes"
                               : "malformed HTTP request: " + ec.message();
      auto response = JsonError(dummy, status, reason);
      response.keep_alive(false);
      in_flight_ = ++request_number_;
      Write(in_flight_, std::move(response));
      return;
    }
    stream_.expires_never();
    if (*upgrade_ && beast::websocket::is_upgrade(parser_->get())) {
      closed_ = true;  // the stream now belongs to the upgrade handler
      (*upgrade_)(parser_->release(), std::move(stream_));
      return;
    }
    in_flight_ = ++request_number_;
    auto request = parser_->release();
    auto responder = std::make_shared<Responder>(shared_from_this(), in_flight_);
    try {
      (*handler_)(std::move(request), responder);
    } catch (const std::exception& e) {
      spdlog::error("http handler failed: {}", e.what());
      HttpRequest dummy;
      responder->Send(JsonError(dummy, http::status::internal_server_error, "internal error"));
    }
  }

  void Write(std::uint64_t request_number, HttpResponse response) {
    if (request_number != in_flight_ || closed_) return;  // answered already, or client gone
    in_flight_ = 0;
    response.set(http::field::server, options_.server_name);
    response.prepare_payload();
    auto shared = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(options_.idle_timeout);
    http::async_write(stream_, *shared,
                      [self = shared_from_this(), shared](beast::error_code ec, std::size_t) {
                        if (ec || !shared->keep_alive()) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  class Responder final : public HttpResponder {
   public:
    Responder(const std::shared_ptr<HttpSession>& session, std::uint64_t request_number)
        : session_(session), request_number_(request_number), remote_(session->remote()) {}
    void Send(HttpResponse response) override {
      session_->Deliver(request_number_, std::move(response));
    }
    const std::string& RemoteAddress() const override { return remote_; }

   private:
    // Keeps the connection open while the request is held; every held request is bounded
    // by its handler's timeout, so this cannot leak.
    std::shared_ptr<HttpSession> session_;
    std::uint64_t request_number_;
    std::string remote_;
  };

  beast::tcp_stream stream_;
  const HttpServerOptions options_;
  std::shared_ptr<HttpHandler> handler_;
  std::shared_ptr<UpgradeHandler> upgrade_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::uint64_t request_number_ = 0;
  std::uint64_t in_flight_ = 0;
  bool closed_ = false;
};

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, HttpHandler handler,
                       UpgradeHandler upgrade)
    : io_(io),
      options_(std::move(options)),
      handler_(std::make_shared<HttpHandler>(std::move(handler))),
      upgrade_(std::make_shared<UpgradeHandler>(std::move(upgrade))),
      acceptor_(io) {}

HttpServer::~HttpServer() { Stop(); }

Result<void> HttpServer::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return Fail("invalid listen address '" + options_.address + "'");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail("cannot listen on " + options_.address + ":" + std::to_string(options_.port) +
                " (" + ec.message() + ")");
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return {};
}

void HttpServer::Stop() {
  beast::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
}

void HttpServer::Accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      // Answers and WebSocket frames are small and latency-bound: no Nagle delay.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(socket), options_, handler_, upgrade_)->Run();
    } else {
      spdlog::warn("accept failed: {}", ec.message());
    }
    if (acceptor_.is_open()) Accept();
  });
}

HttpResponse TextResponse(const HttpRequest& request, http::status status, std::string body,
                          const std::string& content_type) {
  HttpResponse response{status, request.version() ? request.version() : 11u};
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  return response;
}

HttpResponse SharedTextResponse(const HttpRequest& request, http::status status,
                                std::shared_ptr<const std::string> body,
                                const std::string& content_type) {
  auto response = TextResponse(request, status, std::string(), content_type);
  response.body().Share(std::move(body));
  return response;
}

HttpResponse JsonResponse(const HttpRequest& request, http::status status, std::string body) {
  return TextResponse(request, status, std::move(body), "application/json; charset=utf-8");
}

HttpResponse JsonError(const HttpRequest& request, http::status status,
                       const std::string& message) {
  nlohmann::json body{{"status", "error"}, {"error", message}};
  return JsonResponse(request, status,
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace throng

#include "http_client.hpp"

namespace throng::loadgen {

namespace http = boost::beast::http;
using boost::beast::error_code;

HttpClient::HttpClient(boost::asio::io_context& io, const TargetUrl& target,
                       boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout)
    : target_(target), endpoint_(endpoint), timeout_(timeout), stream_(io) {}

void HttpClient::Request(http::verb method, const std::string& path, std::string body, Done done) {
  done_ = std::move(done);
  request_ = {};
  request_.method(method);
  request_.target(target_.Path(path));
  request_.version(11);
  request_.set(http::field::host, target_.HostHeader());
  request_.set(http::field::user_agent, "throng-loadgen");
  request_.keep_alive(true);
  if (method == http::verb::post) request_.set(http::field::content_type, "application/json");
  request_.body() = std::move(body);
  request_.prepare_payload();
  stream_.expires_after(timeout_);
  reused_ = connected_;
  if (connected_) {
    Send();
    return;
  }
  Connect();
}

void HttpClient::Connect() {
  stream_.async_connect(endpoint_, [self = shared_from_this()](const error_code& error) {
    if (error) return self->Finish(error);
    self->connected_ = true;
    self->stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true));
    self->Send();
  });
}

void HttpClient::Send() {
  http::async_write(stream_, request_,
                    [self = shared_from_this()](const error_code& error, std::size_t) {
                      if (error) return self->Finish(error);
                      self->Receive();
                    });
}

void HttpClient::Receive() {
  response_ = {};
  http::async_read(
      stream_, buffer_, response_,
      [self = shared_from_this()](const error_code& error, std::size_t) { self->Finish(error); });
}

void HttpClient::Finish(const error_code& error) {
  if (error || !response_.keep_alive()) {
    error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
    buffer_.clear();
  }
  // A kept-alive connection the server closed while idle fails the next request at once; a
  // browser then sends it again on a new connection, and so does this.
  bool closed_while_idle = error == http::error::end_of_stream ||
                           error == boost::asio::error::connection_reset ||
                           error == boost::asio::error::broken_pipe;
  if (reused_ && closed_while_idle) {
    reused_ = false;
    Connect();
    return;
  }
  stream_.expires_never();
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(error, error ? 0 : response_.result_int(), response_.body());
}

void HttpClient::Close() {
  error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  connected_ = false;
}

}  // namespace throng::loadgen

#include "ws_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

namespace throng::loadgen {

namespace websocket = boost::beast::websocket;
using boost::beast::error_code;

WsClient::WsClient(boost::asio::io_context& io, const TargetUrl& target,
                   boost::asio::ip::tcp::endpoint endpoint, Handlers handlers)
    : target_(target), endpoint_(endpoint), handlers_(std::move(handlers)), ws_(io) {}

void WsClient::Open(std::chrono::milliseconds timeout,
                    std::function<void(const std::string&)> opened) {
  auto& tcp = boost::beast::get_lowest_layer(ws_);
  tcp.expires_after(timeout);
  tcp.async_connect(endpoint_, [self = shared_from_this(),
                                opened = std::move(opened)](const error_code& error) mutable {
    if (error) return opened("connect: " + error.message());
    auto& stream = boost::beast::get_lowest_layer(self->ws_);
    stream.socket().set_option(boost::asio::ip::tcp::no_delay(true));
    self->ws_.async_handshake(
        self->target_.HostHeader(), "/",
        [self, opened = std::move(opened)](const error_code& handshake_error) {
          if (handshake_error) return opened("handshake: " + handshake_error.message());
          boost::beast::get_lowest_layer(self->ws_).expires_never();
          // Pings keep an idle socket alive through proxies, as browsers' do not time out.
          self->ws_.set_option(
              websocket::stream_base::timeout::suggested(boost::beast::role_type::client));
          self->ws_.text(true);
          self->open_ = true;
          opened("");
          self->Read();
          self->WriteNext();
        });
  });
}

void WsClient::Read() {
  ws_.async_read(buffer_, [self = shared_from_this()](const error_code& error, std::size_t) {
    if (error)
      return self->Lost(error == websocket::error::closed
                            ? "closed by the server: " +
                                  std::string(self->ws_.reason().reason.c_str())
                            : error.message());
    auto data = self->buffer_.cdata();
    self->handlers_.on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    self->buffer_.consume(self->buffer_.size());
    self->Read();
  });
}

void WsClient::Send(std::string text) {
  outbox_.push_back(std::move(text));
  WriteNext();
}

void WsClient::WriteNext() {
  if (writing_ || !open_ || outbox_.empty()) return;
  writing_ = true;
  ws_.async_write(boost::asio::buffer(outbox_.front()),
                  [self = shared_from_this()](const error_code& error, std::size_t) {
                    self->writing_ = false;
                    if (error) return self->Lost("write: " + error.message());
                    self->outbox_.pop_front();
                    self->WriteNext();
                  });
}

void WsClient::Lost(const std::string& why) {
  bool was_open = open_;
  open_ = false;
  if (closing_ || !was_open) return;
  closing_ = true;
  error_code ignored;
  boost::beast::get_lowest_layer(ws_).socket().close(ignored);
  if (handlers_.on_closed) handlers_.on_closed(why);
}

void WsClient::Close() {
  if (closing_) return;
  closing_ = true;
  open_ = false;
  error_code ignored;
  boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                        ignored);
  boost::beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace throng::loadgen

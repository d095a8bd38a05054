#include "ws_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/buffers_to_string.hpp>

#include "live_hub.hpp"

namespace throng::router {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsSession::WsSession(beast::tcp_stream&& stream, LiveHub& hub, std::size_t frame_limit,
                     std::uint64_t id)
    : ws_(std::move(stream)), hub_(hub), id_(id) {
  ws_.read_message_max(frame_limit);
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "throng-router");
  }));
}

void WsSession::Start(HttpRequest request) {
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      spdlog::debug("websocket handshake failed: {}", ec.message());
      return;
    }
    self->open_ = true;
    self->hub_.OnOpened(self);
    self->Read();
  });
}

void WsSession::Read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::message_too_big) self->hub_.OnOversized(self);
      self->Closed();
      return;
    }
    if (!self->ws_.got_text()) {
      self->buffer_.consume(self->buffer_.size());
      self->hub_.OnBinary(self);
    } else {
      auto text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->hub_.OnFrame(self, std::move(text));
    }
    if (self->open_ && !self->closing_) self->Read();
  });
}

void WsSession::Send(std::string text) {
  if (!open_ || closing_) return;
  outbox_.push_back(std::move(text));
  if (!writing_) Write();
}

void WsSession::Write() {
  if (outbox_.empty() || closing_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(beast::net::buffer(outbox_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                    if (ec) {
                      self->writing_ = false;
                      self->Closed();
                      return;
                    }
                    self->hub_.OnBytesSent(bytes);
                    self->outbox_.pop_front();
                    self->Write();
                  });
}

void WsSession::Close(websocket::close_code code, const std::string& reason) {
  if (!open_ || closing_) return;
  closing_ = true;
  ws_.async_close(websocket::close_reason(code, reason),
                  [self = shared_from_this()](beast::error_code) { self->Closed(); });
}

void WsSession::Closed() {
  if (!open_) return;
  open_ = false;
  hub_.OnClosed(this);
}

bool WsSession::TakeToken(double now_seconds, double rate) {
  const double burst = rate * 2;
  if (tokens_ < 0) {
    tokens_ = burst;
    last_refill_ = now_seconds;
  }
  tokens_ = std::min(burst, tokens_ + (now_seconds - last_refill_) * rate);
  last_refill_ = now_seconds;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace throng::router

#include "ws_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/buffers_to_string.hpp>
#include <string_view>

#include "live_hub.hpp"
#include "router_probe.hpp"

namespace throng::router {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// The packet type of a frame for the sent-packets counter. Every frame the router writes is
// built by the hub and starts with its packet_type, so no JSON parsing is needed; anything
// unexpected is counted as "other" to keep the label set small.
std::string SentPacketType(const std::string& frame) {
  constexpr std::string_view kPrefix = R"({"packet_type":")";
  if (frame.compare(0, kPrefix.size(), kPrefix) != 0) return "other";
  auto end = frame.find('"', kPrefix.size());
  if (end == std::string::npos) return "other";
  auto type = frame.substr(kPrefix.size(), end - kPrefix.size());
  if (type == "update_status" || type == "heartbeat" || type == "client_bound_live_update") {
    return type;
  }
  return "other";
}

}  // namespace

WsSession::WsSession(beast::tcp_stream&& stream, LiveHub& hub, std::size_t frame_limit,
                     std::uint64_t id, RouterProbe* probe, std::size_t send_queue_limit)
    : ws_(std::move(stream)),
      hub_(hub),
      id_(id),
      probe_(probe),
      send_queue_limit_(send_queue_limit),
      close_deadline_(ws_.get_executor()) {
  ConfigureBrowserWebsocket(ws_, frame_limit);
}

void WsSession::Start(HttpRequest request) {
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      spdlog::debug("websocket handshake failed: {}", ec.message());
      return;
    }
    self->open_ = true;
    if (self->probe_) self->probe_->WebsocketOpened();
    self->hub_.OnOpened(self);
    self->Read();
  });
}

void WsSession::Rejected(const char* reason) {
  if (probe_) probe_->Rejected(reason);
  spdlog::debug("websocket {} refused: {}", id_, reason);
}

void WsSession::Read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      // Beast has already answered these with a close frame: 1009 (too big), 1007 (invalid
      // UTF-8 in a text frame) or 1002 (any other protocol violation).
      if (ec == websocket::error::message_too_big) {
        self->hub_.OnOversized(self);
      } else if (ec == websocket::error::bad_frame_payload) {
        self->Rejected("invalid_utf8");
      } else if (ec == websocket::condition::protocol_violation) {
        self->Rejected("protocol_error");
      }
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

void WsSession::Send(std::string text, std::function<void()> on_written) {
  if (!open_ || closing_) return;
  outbox_bytes_ += text.size();
  outbox_.push_back(Frame{std::move(text), std::move(on_written)});
  // Only frames behind the one in flight count as backlog, so one large frame always goes.
  if (outbox_.size() > 1 && outbox_bytes_ - outbox_.front().text.size() > send_queue_limit_) {
    Rejected("slow_consumer");
    spdlog::info("closing websocket {} (agent '{}'): {} bytes unread, limit {}", id_, agent_id_,
                 outbox_bytes_, send_queue_limit_);
    // The frame being written must stay alive until its write completes; the rest is freed.
    outbox_.erase(outbox_.begin() + 1, outbox_.end());
    outbox_bytes_ = outbox_.front().text.size();
    Close(websocket::close_code::policy_error, "slow consumer: not reading; reconnect");
    return;
  }
  if (!writing_) Write();
}

void WsSession::Write() {
  if (outbox_.empty() || closing_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(beast::net::buffer(outbox_.front().text),
                  [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                    if (ec) {
                      self->writing_ = false;
                      self->Closed();
                      return;
                    }
                    self->hub_.OnBytesSent(bytes);
                    if (self->probe_) {
                      self->probe_->WebsocketPacketSent(SentPacketType(self->outbox_.front().text));
                    }
                    auto written = std::move(self->outbox_.front());
                    self->outbox_bytes_ -= written.text.size();
                    self->outbox_.pop_front();
                    if (written.on_written) written.on_written();
                    self->Write();
                  });
}

void WsSession::Close(websocket::close_code code, const std::string& reason) {
  if (!open_ || closing_) return;
  closing_ = true;
  ws_.async_close(websocket::close_reason(code, reason),
                  [self = shared_from_this()](beast::error_code) { self->Closed(); });
  // The close frame waits behind a write in progress, which a peer that does not read never
  // lets finish: drop the connection if the handshake has not completed in time.
  close_deadline_.expires_after(kCloseGrace);
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || !self->open_) return;
    spdlog::debug("websocket {} did not complete its close handshake; dropping it", self->id_);
    beast::get_lowest_layer(self->ws_).close();
  });
}

void WsSession::Closed() {
  if (!open_) return;
  open_ = false;
  close_deadline_.cancel();
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

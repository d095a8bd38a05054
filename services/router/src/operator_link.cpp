#include "operator_link.hpp"

#include <spdlog/spdlog.h>

#include "throng/common/envelope_codec.hpp"

namespace throng::router {

OperatorLink::OperatorLink(std::string endpoint, std::string router_id,
                           std::chrono::milliseconds stale_after, const Clock& clock,
                           Callbacks callbacks)
    : endpoint_(std::move(endpoint)),
      router_id_(std::move(router_id)),
      stale_after_(stale_after),
      clock_(clock),
      callbacks_(std::move(callbacks)) {}

OperatorLink::~OperatorLink() { Stop(); }

void OperatorLink::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OperatorLink::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void OperatorLink::Send(v1::Envelope envelope) { outbox_.Push(std::move(envelope)); }

bool OperatorLink::OperatorReachable() const {
  auto last = last_beat_ms_.load();
  return last != 0 && clock_.NowMillis() - last <= stale_after_.count();
}

void OperatorLink::Loop() {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::routing_id, router_id_);
  socket.set(zmq::sockopt::linger, 0);
  // Queue only to a connected operator: a send while it is away fails at once instead of
  // being delivered minutes later, after the browser has been told it failed.
  socket.set(zmq::sockopt::immediate, 1);
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxEnvelopeBytes));
  socket.set(zmq::sockopt::reconnect_ivl, 100);
  socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
  socket.connect(endpoint_);
  spdlog::info("connecting to operator at {}", endpoint_);

  v1::Envelope hello;
  hello.set_kind(v1::ENVELOPE_KIND_ROUTER_HELLO);
  hello.set_router_id(router_id_);
  v1::RouterHello hello_body;
  hello_body.set_router_id(router_id_);
  hello_body.set_version(THRONG_VERSION);
  hello.set_payload(hello_body.SerializeAsString());

  std::int64_t next_hello = 0;
  bool was_reachable = false;
  while (!stopping_) {
    auto now = clock_.NowMillis();
    if (now >= next_hello) {
      socket.send(EncodeEnvelope(hello), zmq::send_flags::dontwait);
      next_hello = now + 1000;
    }
    bool reachable = OperatorReachable();
    if (reachable != was_reachable) {
      if (reachable) {
        spdlog::info("operator reachable");
      } else {
        spdlog::warn("operator unreachable (no heartbeat for {} ms)", stale_after_.count());
      }
      was_reachable = reachable;
    }
    zmq::pollitem_t items[] = {{static_cast<void*>(socket), 0, ZMQ_POLLIN, 0},
                               {nullptr, outbox_.fd(), ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      for (auto& envelope : outbox_.Drain()) {
        envelope.set_router_id(router_id_);
        envelope.mutable_timestamps()->set_router_outgoing(clock_.NowSeconds());
        auto sent = socket.send(EncodeEnvelope(envelope), zmq::send_flags::dontwait);
        if (!sent && callbacks_.on_send_failed) callbacks_.on_send_failed(std::move(envelope));
      }
    }
    if (items[0].revents & ZMQ_POLLIN) {
      for (int i = 0; i < 256; ++i) {
        zmq::message_t message;
        if (!socket.recv(message, zmq::recv_flags::dontwait)) break;
        auto envelope = DecodeEnvelope(message);
        if (!envelope) {
          spdlog::warn("dropping envelope from operator: {}", envelope.error().message);
          continue;
        }
        if (envelope->kind() == v1::ENVELOPE_KIND_OPERATOR_BEAT) last_beat_ms_ = clock_.NowMillis();
        envelope->mutable_timestamps()->set_router_reply(clock_.NowSeconds());
        if (callbacks_.on_envelope) callbacks_.on_envelope(std::move(*envelope));
      }
    }
  }
}

}  // namespace throng::router

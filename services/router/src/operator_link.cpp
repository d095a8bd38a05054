#include "operator_link.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>

#include "throng/common/envelope_codec.hpp"
#include "zmq_monitor_event.hpp"

namespace throng::router {

OperatorLink::OperatorLink(std::string endpoint, std::string router_id,
                           std::chrono::milliseconds stale_after, const Clock& clock,
                           RouterProbe& probe, Callbacks callbacks)
    : endpoint_(std::move(endpoint)),
      router_id_(std::move(router_id)),
      stale_after_(stale_after),
      clock_(clock),
      probe_(probe),
      callbacks_(std::move(callbacks)) {}

OperatorLink::~OperatorLink() { Stop(); }

void OperatorLink::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OperatorLink::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void OperatorLink::Send(v1::Envelope envelope) {
  // Counted before it can be drained, so the depth never dips below zero.
  probe_.OperatorQueued();
  outbox_.Push(std::move(envelope));
}

std::size_t OperatorLink::DiscardQueued() {
  auto discarded = outbox_.Drain().size();
  probe_.OperatorDequeued(discarded);
  return discarded;
}

bool OperatorLink::OperatorReachable() const {
  auto last = last_beat_ms_.load();
  return last != 0 && clock_.NowMillis() - last <= stale_after_.count();
}

void OperatorLink::Loop() {
  // The link thread and ZeroMQ's I/O thread move envelopes in batches; as batch threads they
  // do not preempt the io thread each time it hands them one envelope, so on a busy core the
  // batches grow instead of every packet costing context switches.
  sched_param no_priority{};
  sched_setscheduler(0, SCHED_BATCH, &no_priority);
  zmq::context_t context(1);
  context.set(zmq::ctxopt::thread_sched_policy, SCHED_BATCH);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::routing_id, router_id_);
  socket.set(zmq::sockopt::linger, 0);
  // Queue only to a connected operator: a send while it is away fails at once instead of
  // being delivered minutes later, after the browser has been told it failed.
  socket.set(zmq::sockopt::immediate, 1);
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxEnvelopeBytes));
  socket.set(zmq::sockopt::sndhwm, kEnvelopeQueueLimit);
  socket.set(zmq::sockopt::rcvhwm, kEnvelopeQueueLimit);
  socket.set(zmq::sockopt::reconnect_ivl, 100);
  socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
  // The socket's connection events, read below next to the socket itself (no extra thread).
  // The context is this link's own, so the inproc name cannot clash.
  const char* monitor_endpoint = "inproc://operator-link-monitor";
  if (zmq_socket_monitor(socket.handle(), monitor_endpoint, ZMQ_EVENT_ALL) != 0) {
    // Only the metrics suffer: the PAIR below then never receives anything.
    spdlog::warn("no ZeroMQ monitor on the operator link: {}", zmq_strerror(zmq_errno()));
  }
  zmq::socket_t monitor(context, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(monitor_endpoint);  // before connecting, so no early event is missed
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
                               {nullptr, outbox_.fd(), ZMQ_POLLIN, 0},
                               {static_cast<void*>(monitor), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 3, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[2].revents & ZMQ_POLLIN) ReadMonitorEvents(monitor);
    if (items[1].revents & ZMQ_POLLIN) SendQueued(socket);
    if (items[0].revents & ZMQ_POLLIN) {
      std::vector<v1::Envelope> batch;
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
        batch.push_back(std::move(*envelope));
      }
      if (!batch.empty() && callbacks_.on_envelopes) callbacks_.on_envelopes(std::move(batch));
    }
  }
  zmq_socket_monitor(socket.handle(), nullptr, 0);
}

void OperatorLink::SendQueued(zmq::socket_t& socket) {
  auto queued = outbox_.Drain();
  probe_.OperatorDequeued(queued.size());
  for (auto& envelope : queued) {
    envelope.set_router_id(router_id_);
    envelope.mutable_timestamps()->set_router_outgoing(clock_.NowSeconds());
    const char* failure = nullptr;
    try {
      // With `immediate`, EAGAIN means no connected operator, or its queue (HWM) is full.
      if (!socket.send(EncodeEnvelope(envelope), zmq::send_flags::dontwait)) {
        failure = peer_connected_ ? "queue_full" : "operator_unreachable";
      }
    } catch (const zmq::error_t& e) {
      spdlog::warn("cannot send {} to the operator: {}", envelope.packet_type(), e.what());
      failure = "error";
    }
    if (!failure) continue;
    probe_.OperatorSendFailed(failure);
    if (callbacks_.on_send_failed) callbacks_.on_send_failed(std::move(envelope));
  }
}

void OperatorLink::ReadMonitorEvents(zmq::socket_t& monitor) {
  for (int i = 0; i < 256; ++i) {
    zmq::message_t first;
    if (!monitor.recv(first, zmq::recv_flags::dontwait)) return;
    // The rest of the message (the peer's address) is not needed.
    for (bool more = first.more(); more;) {
      zmq::message_t rest;
      if (!monitor.recv(rest, zmq::recv_flags::dontwait)) break;
      more = rest.more();
    }
    auto event = MonitorEventId(first.data(), first.size());
    if (!event) continue;
    const char* label = MonitorEventLabel(*event);
    probe_.ZmqEvent(label);
    if (*event == ZMQ_EVENT_CONNECTED) peer_connected_ = true;
    if (*event == ZMQ_EVENT_DISCONNECTED) peer_connected_ = false;
  }
}

}  // namespace throng::router

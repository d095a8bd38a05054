#include "zmq_echo_peer.hpp"

#include <spdlog/spdlog.h>

#include "throng/common/envelope_codec.hpp"
#include "throng/common/random_token.hpp"

namespace throng::echo {
namespace {

// Bursts of tens of thousands of packets a second must queue, not drop, while the router
// catches up; ZeroMQ's default of 1000 per peer is far too small for that.
constexpr int kHighWaterMark = 200'000;
// Messages read before the socket is written to again (and heartbeats are checked).
constexpr int kMaxBatch = 4096;
constexpr std::chrono::milliseconds kLongestPoll{100};

}  // namespace

ZmqEchoPeer::ZmqEchoPeer(ZmqEchoOptions options, const Clock& clock, PacketCounters& counters)
    : options_(std::move(options)),
      clock_(clock),
      counters_(counters),
      echo_(AgentCredentials(options_.credential_key), clock, counters),
      socket_(context_, zmq::socket_type::router),
      incarnation_(RandomHex(8)),
      started_ms_(clock.NowMillis()) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, kHighWaterMark);
  socket_.set(zmq::sockopt::rcvhwm, kHighWaterMark);
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxEnvelopeBytes));
  // A send to a router that has gone fails instead of vanishing, so it can be counted.
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.bind(options_.bind_endpoint);
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

void ZmqEchoPeer::Run() {
  spdlog::info("echoing for routers at {} (incarnation {})", endpoint_, incarnation_);
  auto next_beat = std::chrono::steady_clock::now();
  auto next_stats = std::chrono::steady_clock::now() + options_.stats_interval;
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_beat || new_router_) {
      new_router_ = false;
      SendBeats();
      next_beat = now + options_.beat_interval;
    }
    if (options_.stats_interval.count() > 0 && now >= next_stats) {
      spdlog::info("counters {}", counters_.ToJson());
      next_stats = now + options_.stats_interval;
    }
    auto wait = std::min(kLongestPoll, std::chrono::duration_cast<std::chrono::milliseconds>(
                                           next_beat - std::chrono::steady_clock::now()));
    zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, std::max(wait, std::chrono::milliseconds(0)));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      ReadAvailable();
      SendOutbox();
    }
  }
}

void ZmqEchoPeer::ReadAvailable() {
  for (int i = 0; i < kMaxBatch; ++i) {
    zmq::message_t identity;
    if (!socket_.recv(identity, zmq::recv_flags::dontwait)) return;
    zmq::message_t frame;
    bool complete = identity.more() && socket_.recv(frame, zmq::recv_flags::dontwait);
    // A router sends one envelope per message; any further parts make it malformed.
    bool extra_parts = false;
    for (bool more = complete && frame.more(); more;) {
      zmq::message_t rest;
      if (!socket_.recv(rest, zmq::recv_flags::dontwait)) break;
      more = rest.more();
      extra_parts = true;
    }
    auto router = identity.to_string();
    // Any message at all shows the router exists; a new one hears the run list at once.
    if (routers_.insert(router).second) new_router_ = true;
    if (!complete || extra_parts) {
      counters_.Malformed();
      continue;
    }
    auto envelope = DecodeEnvelope(frame);
    if (!envelope) {
      counters_.Malformed();
      continue;
    }
    answers_.clear();
    echo_.Answer(*envelope, answers_);
    for (auto& answer : answers_) outbox_.push_back(Outgoing{router, std::move(answer)});
  }
}

void ZmqEchoPeer::SendOutbox() {
  for (const auto& outgoing : outbox_) {
    if (SendTo(outgoing.identity, outgoing.envelope)) {
      counters_.Sent(outgoing.envelope.packet_type());
    } else {
      counters_.Dropped();
    }
  }
  outbox_.clear();
}

void ZmqEchoPeer::SendBeats() {
  if (routers_.empty()) return;
  v1::OperatorBeat beat;
  beat.set_operator_id("throng-echo-backend");
  beat.set_sent_ms(clock_.NowMillis());
  beat.set_agent_credential_key(echo_.credentials().key());
  beat.set_incarnation(incarnation_);
  auto* run = beat.add_runs();
  run->set_task_run_id("1");
  run->set_task_name("echo");
  run->set_static_dir(options_.static_dir);
  run->set_task_config_json(R"({"mephisto_task_version":"2.0.4"})");
  run->set_created_ms(started_ms_);
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_OPERATOR_BEAT);
  envelope.set_payload(beat.SerializeAsString());
  auto routers = routers_;  // SendTo forgets routers that have gone
  for (const auto& router : routers) {
    if (SendTo(router, envelope)) {
      counters_.Sent("operator_beat");
    } else {
      counters_.Dropped();
    }
  }
}

bool ZmqEchoPeer::SendTo(const std::string& identity, const v1::Envelope& envelope) {
  try {
    if (!socket_.send(zmq::buffer(identity),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;  // its queue is full
    }
    // Once the first part is accepted the rest of the message is too.
    (void)socket_.send(EncodeEnvelope(envelope), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    if (routers_.erase(identity) > 0) spdlog::info("router {} has gone", identity);
    return false;
  }
}

}  // namespace throng::echo

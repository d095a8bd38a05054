#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <zmq.hpp>

#include "envelope_echo.hpp"
#include "packet_counters.hpp"
#include "throng/common/clock.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::echo {

struct ZmqEchoOptions {
  std::string bind_endpoint;   // e.g. tcp://127.0.0.1:5555; port * picks a free one
  std::string static_dir;      // announced as the run's frontend
  std::string credential_key;  // at least AgentCredentials::kMinKeyBytes
  std::chrono::milliseconds beat_interval{500};
  std::chrono::milliseconds stats_interval{0};  // 0: no periodic log
};

// Stands in for throng's operator on a ZeroMQ ROUTER socket: announces one live run to every
// router it has heard from, and answers each packet at once through an EnvelopeEcho, so that
// a benchmark measures the router alone. Single-threaded: Run() owns the socket; only
// RequestStop() may be called from another thread.
class ZmqEchoPeer {
 public:
  // Binds at once (throws zmq::error_t when the endpoint is taken).
  ZmqEchoPeer(ZmqEchoOptions options, const Clock& clock, PacketCounters& counters);

  // The bound endpoint, with the port chosen when the options asked for any.
  const std::string& endpoint() const { return endpoint_; }
  // Serves until RequestStop().
  void Run();
  void RequestStop() { stopping_ = true; }

 private:
  // Reads everything waiting (up to a bound, so heartbeats stay on time); answers in `outbox_`.
  void ReadAvailable();
  void SendBeats();
  void SendOutbox();
  // false when the message could not be queued; a router that is gone is forgotten.
  bool SendTo(const std::string& identity, const v1::Envelope& envelope);

  struct Outgoing {
    std::string identity;
    v1::Envelope envelope;
  };

  ZmqEchoOptions options_;
  const Clock& clock_;
  PacketCounters& counters_;
  EnvelopeEcho echo_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string incarnation_;
  std::int64_t started_ms_;
  std::set<std::string> routers_;
  bool new_router_ = false;
  std::vector<Outgoing> outbox_;
  std::vector<v1::Envelope> answers_;  // reused per request
  std::atomic<bool> stopping_{false};
};

}  // namespace throng::echo

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "router_probe.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/mailbox.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::router {

// The router's ZeroMQ DEALER connection to the operator, on its own thread (ZeroMQ sockets
// are single-threaded). Announces the router every second; an operator heartbeat within
// `stale_after` means the operator is reachable. Callbacks run on the link thread. Reports its
// health to the probe: the socket's monitor events (read in the same poll loop), envelopes
// waiting for the link thread, and sends ZeroMQ refused.
class OperatorLink {
 public:
  struct Callbacks {
    // Replies and heartbeats, in arrival order: everything one poll read, at once, so a busy
    // link hands the io thread one batch instead of a task per envelope.
    std::function<void(std::vector<v1::Envelope>)> on_envelopes;
    std::function<void(v1::Envelope)> on_send_failed;  // could not be queued to the operator
  };

  OperatorLink(std::string endpoint, std::string router_id, std::chrono::milliseconds stale_after,
               const Clock& clock, RouterProbe& probe, Callbacks callbacks);
  ~OperatorLink();

  void Start();
  void Stop();
  // Thread-safe. Stamps router_outgoing and queues the envelope for the link thread.
  void Send(v1::Envelope envelope);
  bool OperatorReachable() const;
  // Drops envelopes not yet handed to the link thread (for harnesses that never start it).
  std::size_t DiscardQueued();
  std::int64_t LastBeatMs() const { return last_beat_ms_; }

 private:
  void Loop();
  void SendQueued(zmq::socket_t& socket);
  void ReadMonitorEvents(zmq::socket_t& monitor);

  std::string endpoint_;
  std::string router_id_;
  std::chrono::milliseconds stale_after_;
  const Clock& clock_;
  RouterProbe& probe_;
  Callbacks callbacks_;
  Mailbox<v1::Envelope> outbox_;
  std::atomic<std::int64_t> last_beat_ms_{0};
  std::atomic<bool> stopping_{false};
  bool peer_connected_ = false;  // per the monitor; link thread only
  std::thread thread_;
};

}  // namespace throng::router

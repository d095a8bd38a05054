#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <unordered_map>

#include "throng/v1/envelope.pb.h"

namespace throng::router {

// A counter family's counters by the value of one label, each looked up once: Family::Add
// builds and hashes a label map under a lock on every call, too much for every packet.
// One thread only (the router's io thread counts packets).
class CountersByLabel {
 public:
  CountersByLabel(prometheus::Family<prometheus::Counter>& family, std::string label,
                  prometheus::Labels fixed = {})
      : family_(family), label_(std::move(label)), fixed_(std::move(fixed)) {}

  prometheus::Counter& operator[](const std::string& value) {
    auto it = counters_.find(value);
    if (it != counters_.end()) return *it->second;
    auto labels = fixed_;
    labels[label_] = value;
    auto& counter = family_.Add(labels);
    counters_.emplace(value, &counter);
    return counter;
  }

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::string label_;
  prometheus::Labels fixed_;
  std::unordered_map<std::string, prometheus::Counter*> counters_;
};

// Every metric the router exports, declared in one place and used as verbs.
class RouterProbe {
 public:
  explicit RouterProbe(prometheus::Registry& registry);

  void HttpRequest(const std::string& endpoint, int status, double seconds);
  void HttpBytes(const std::string& direction, std::size_t bytes);
  void PacketToOperator(const std::string& packet_type);
  void PacketFromOperator(const std::string& packet_type);
  void Rejected(const std::string& reason);
  void SetHeldRequests(double count);
  void SetOperatorReachable(bool reachable);
  void SetLiveRuns(double count);
  void SetWebsocketConnections(double count);
  void WebsocketOpened();
  void WebsocketBytes(const std::string& direction, std::size_t bytes);
  void WebsocketPacket(const std::string& packet_type);
  void WebsocketPacketSent(const std::string& packet_type);
  // Per-hop latencies of a request that made the round trip to the operator.
  void RoundTrip(const std::string& packet_type, const v1::HopTimestamps& timestamps,
                 double now_seconds);
  void SetEventLoopLag(double seconds);
  // A ZeroMQ monitor event of the operator link, as MonitorEventLabel names it.
  void ZmqEvent(const char* event);
  // Envelopes handed to the operator link and not yet given to its ZeroMQ socket.
  void OperatorQueued();
  void OperatorDequeued(std::size_t count);
  void OperatorSendFailed(const char* reason);
  void OperatorHeartbeatRoundTrip(double seconds);

 private:
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_seconds_;
  prometheus::Family<prometheus::Counter>& http_bytes_;
  prometheus::Family<prometheus::Counter>& packets_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Histogram>& hop_seconds_;
  prometheus::Family<prometheus::Counter>& ws_bytes_;
  prometheus::Family<prometheus::Counter>& ws_packets_;
  prometheus::Family<prometheus::Counter>& ws_packets_sent_;
  prometheus::Gauge& ws_connections_;
  prometheus::Counter& ws_opened_;
  prometheus::Gauge& held_;
  prometheus::Gauge& operator_reachable_;
  prometheus::Gauge& live_runs_;
  prometheus::Gauge& event_loop_lag_;
  prometheus::Family<prometheus::Counter>& zmq_events_;
  prometheus::Gauge& operator_queue_depth_;
  prometheus::Family<prometheus::Counter>& operator_send_failures_;
  prometheus::Histogram& operator_heartbeat_rtt_;
  CountersByLabel to_operator_{packets_, "packet_type", {{"direction", "to_operator"}}};
  CountersByLabel from_operator_{packets_, "packet_type", {{"direction", "from_operator"}}};
  CountersByLabel ws_bytes_by_direction_{ws_bytes_, "direction"};
  CountersByLabel ws_received_{ws_packets_, "packet_type"};
  CountersByLabel ws_sent_{ws_packets_sent_, "packet_type"};
};

}  // namespace throng::router

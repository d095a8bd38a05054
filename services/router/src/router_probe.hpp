#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "throng/v1/envelope.pb.h"

namespace throng::router {

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
};

}  // namespace throng::router

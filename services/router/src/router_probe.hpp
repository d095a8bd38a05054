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
};

}  // namespace throng::router

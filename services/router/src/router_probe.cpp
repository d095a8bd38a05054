#include "router_probe.hpp"

#include <algorithm>

#include "zmq_monitor_event.hpp"

namespace throng::router {

namespace {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

}  // namespace

RouterProbe::RouterProbe(prometheus::Registry& registry)
    : http_requests_(prometheus::BuildCounter()
                         .Name("throng_router_http_requests_total")
                         .Help("HTTP requests from browsers, by endpoint and status code")
                         .Register(registry)),
      http_seconds_(prometheus::BuildHistogram()
                        .Name("throng_router_http_request_duration_seconds")
                        .Help("Time from receiving an HTTP request to answering it, by endpoint")
                        .Register(registry)),
      http_bytes_(prometheus::BuildCounter()
                      .Name("throng_router_http_bytes_total")
                      .Help("HTTP body bytes, by direction (in: requests, out: responses)")
                      .Register(registry)),
      packets_(prometheus::BuildCounter()
                   .Name("throng_router_packets_total")
                   .Help("Packets exchanged with the operator, by packet type and direction")
                   .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("throng_router_rejected_requests_total")
                    .Help("Requests refused or failed by the router, by reason")
                    .Register(registry)),
      hop_seconds_(prometheus::BuildHistogram()
                       .Name("throng_router_hop_latency_seconds")
                       .Help("Latency of each hop of a round trip to the operator, by packet "
                             "type and stage")
                       .Register(registry)),
      ws_bytes_(prometheus::BuildCounter()
                    .Name("throng_router_websocket_bytes_total")
                    .Help("WebSocket payload bytes, by direction (in, out)")
                    .Register(registry)),
      ws_packets_(prometheus::BuildCounter()
                      .Name("throng_router_websocket_packets_total")
                      .Help("WebSocket packets received from browsers, by packet type")
                      .Register(registry)),
      ws_packets_sent_(prometheus::BuildCounter()
                           .Name("throng_router_websocket_packets_sent_total")
                           .Help("WebSocket packets sent to browsers, by packet type")
                           .Register(registry)),
      ws_connections_(prometheus::BuildGauge()
                          .Name("throng_router_websocket_connections")
                          .Help("Open browser WebSocket connections")
                          .Register(registry)
                          .Add({})),
      ws_opened_(prometheus::BuildCounter()
                     .Name("throng_router_websocket_connections_total")
                     .Help("Browser WebSocket connections accepted")
                     .Register(registry)
                     .Add({})),
      held_(prometheus::BuildGauge()
                .Name("throng_router_held_requests")
                .Help("HTTP requests waiting for the operator's answer")
                .Register(registry)
                .Add({})),
      operator_reachable_(prometheus::BuildGauge()
                              .Name("throng_router_operator_reachable")
                              .Help("1 if the operator's heartbeat is fresh, else 0")
                              .Register(registry)
                              .Add({})),
      live_runs_(prometheus::BuildGauge()
                     .Name("throng_router_live_task_runs")
                     .Help("Task runs this router currently serves")
                     .Register(registry)
                     .Add({})),
      event_loop_lag_(prometheus::BuildGauge()
                          .Name("throng_router_event_loop_lag_seconds")
                          .Help("How late the I/O event loop ran its periodic timer: the largest "
                                "delay over the last second")
                          .Register(registry)
                          .Add({})),
      zmq_events_(prometheus::BuildCounter()
                      .Name("throng_router_zmq_events_total")
                      .Help("ZeroMQ monitor events of the socket to the operator, by event")
                      .Register(registry)),
      operator_queue_depth_(prometheus::BuildGauge()
                                .Name("throng_router_operator_queue_depth")
                                .Help("Envelopes accepted for the operator and not yet handed to "
                                      "ZeroMQ")
                                .Register(registry)
                                .Add({})),
      operator_send_failures_(prometheus::BuildCounter()
                                  .Name("throng_router_operator_send_failures_total")
                                  .Help("Envelopes ZeroMQ would not take for the operator, by "
                                        "reason")
                                  .Register(registry)),
      operator_heartbeat_rtt_(
          prometheus::BuildHistogram()
              .Name("throng_router_operator_heartbeat_rtt_seconds")
              .Help("Agent status round trip: from forwarding an agent's alive to the "
                    "operator's update_status for it")
              .Register(registry)
              .Add({}, LatencyBuckets())) {
  for (const char* type : {"register_agent", "submit_onboarding", "submit_unit", "log_error"}) {
    packets_.Add({{"packet_type", type}, {"direction", "to_operator"}});
  }
  for (const char* type : {"agent_details", "submit_ack"}) {
    packets_.Add({{"packet_type", type}, {"direction", "from_operator"}});
  }
  // Every label value exists from the start, so rates and alerts see zeros, not gaps.
  for (const char* event : kMonitorEventLabels) zmq_events_.Add({{"event", event}});
  for (const char* reason : {"operator_unreachable", "queue_full", "error"}) {
    operator_send_failures_.Add({{"reason", reason}});
  }
  // Alerted on: one forged agent id is already someone probing for another worker's work.
  rejected_.Add({{"reason", "forged_agent_id"}});
  // A latency series made by its first request would hide that request (and any in the same
  // scrape) from rate(); the worker protocol's endpoints start at 0 instead.
  for (const char* endpoint :
       {"request_agent", "submit_onboarding", "submit_task", "log_error", "submit_metadata"}) {
    http_seconds_.Add({{"endpoint", endpoint}}, LatencyBuckets());
  }
}

void RouterProbe::HttpRequest(const std::string& endpoint, int status, double seconds) {
  http_requests_.Add({{"endpoint", endpoint}, {"code", std::to_string(status)}}).Increment();
  http_seconds_.Add({{"endpoint", endpoint}}, LatencyBuckets()).Observe(seconds);
}

void RouterProbe::HttpBytes(const std::string& direction, std::size_t bytes) {
  http_bytes_.Add({{"direction", direction}}).Increment(static_cast<double>(bytes));
}

void RouterProbe::PacketToOperator(const std::string& packet_type) {
  to_operator_[packet_type].Increment();
}

void RouterProbe::PacketFromOperator(const std::string& packet_type) {
  from_operator_[packet_type].Increment();
}

void RouterProbe::Rejected(const std::string& reason) {
  rejected_.Add({{"reason", reason}}).Increment();
}

void RouterProbe::SetWebsocketConnections(double count) { ws_connections_.Set(count); }

void RouterProbe::WebsocketOpened() { ws_opened_.Increment(); }

void RouterProbe::WebsocketBytes(const std::string& direction, std::size_t bytes) {
  ws_bytes_by_direction_[direction].Increment(static_cast<double>(bytes));
}

void RouterProbe::WebsocketPacket(const std::string& packet_type) {
  ws_received_[packet_type].Increment();
}

void RouterProbe::WebsocketPacketSent(const std::string& packet_type) {
  ws_sent_[packet_type].Increment();
}

void RouterProbe::SetHeldRequests(double count) { held_.Set(count); }
void RouterProbe::SetOperatorReachable(bool reachable) {
  operator_reachable_.Set(reachable ? 1 : 0);
}
void RouterProbe::SetLiveRuns(double count) { live_runs_.Set(count); }

void RouterProbe::RoundTrip(const std::string& packet_type, const v1::HopTimestamps& t,
                            double now_seconds) {
  auto observe = [&](const char* stage, double from, double to) {
    if (from <= 0 || to <= 0) return;
    hop_seconds_.Add({{"packet_type", packet_type}, {"stage", stage}}, LatencyBuckets())
        .Observe(std::max(0.0, to - from));
  };
  observe("client_to_router", t.client(), t.router_incoming());
  observe("router_processing", t.router_incoming(), t.router_outgoing());
  observe("router_to_server", t.router_outgoing(), t.server_incoming());
  observe("server_processing", t.server_incoming(), t.server_outgoing());
  observe("server_to_router", t.server_outgoing(), t.router_reply());
  observe("e2e_time", t.router_incoming(), now_seconds);
}

void RouterProbe::SetEventLoopLag(double seconds) { event_loop_lag_.Set(seconds); }

void RouterProbe::ZmqEvent(const char* event) { zmq_events_.Add({{"event", event}}).Increment(); }

void RouterProbe::OperatorQueued() { operator_queue_depth_.Increment(); }

void RouterProbe::OperatorDequeued(std::size_t count) {
  operator_queue_depth_.Decrement(static_cast<double>(count));
}

void RouterProbe::OperatorSendFailed(const char* reason) {
  operator_send_failures_.Add({{"reason", reason}}).Increment();
}

void RouterProbe::OperatorHeartbeatRoundTrip(double seconds) {
  operator_heartbeat_rtt_.Observe(seconds);
}

}  // namespace throng::router

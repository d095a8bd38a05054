#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "http_client.hpp"
#include "latency_stats.hpp"
#include "measurement_window.hpp"
#include "router_connections.hpp"
#include "run_timers.hpp"

namespace throng::loadgen {

struct LiveOptions {
  std::size_t workers = 100;
  double connect_rate = 500;  // pages opened per second while connecting
  double update_rate = 0;     // live updates per second, all workers together (open loop)
  bool closed_loop = false;   // instead: each worker sends its next update when its last returns
  std::size_t update_bytes = 100;
  double heartbeat_seconds = 6;
  double warmup_seconds = 2;
  double duration_seconds = 10;
  double drain_seconds = 5;
  bool submit_at_end = false;  // each worker submits its task after the drain
  std::string worker_prefix = "lg";
};

// Live-task pages (mephisto-task's useMephistoLiveTask): each registers (POST /request_agent),
// opens the WebSocket, says `alive`, heartbeats every `heartbeat_seconds` (the first 500 ms
// after opening, as the page does) and, once its status is "in task", sends
// mephisto_bound_live_update packets. Every update has a unique update_id; a
// client_bound_live_update carrying it, on any worker's socket (its own with an echo backend,
// its partner's in a paired chat), is its delivery. Counts deliveries, duplicates and updates
// never delivered. A socket lost is an error: pages here never reconnect, so nothing hides.
class LiveLoad {
 public:
  using Clock = std::chrono::steady_clock;

  LiveLoad(const RouterConnections& router, LiveOptions options, LatencyStats& stats);

  void Start(std::function<void()> finished);
  const MeasurementWindow& window() const { return window_; }
  // Workers, delivery accounting, statuses and the operations outside the window.
  nlohmann::json Details() const;
  // True when updates were asked for but none went out, or some were due while no page was
  // in task: the run measured nothing it claims to.
  bool SentNothingAskedFor() const;
  // The generator's delay in sending what the open-loop schedule said was due.
  const LatencyStats& own() const { return own_; }

 private:
  enum class Phase { kConnecting, kRunning, kDraining, kSubmitting, kDone };
  struct Worker {
    std::string agent_id;
    std::shared_ptr<WsClient> ws;
    std::unique_ptr<boost::asio::steady_timer> heartbeat;
    std::deque<Clock::time_point> heartbeats_sent;
    Clock::time_point alive_sent;
    bool alive_answered = false;
    bool in_task = false;
    bool failed = false;
    std::string status = "none";
  };
  struct Sent {
    Clock::time_point due;
    std::size_t worker;
  };

  void Connect(std::size_t index);
  void OpenSocket(std::size_t index);
  void Settled();
  void StartSending();
  void OnFrame(std::size_t index, std::string_view frame);
  void OnUpdate(std::string_view frame, Clock::time_point now);
  void OnStatus(std::size_t index, std::string_view status);
  void SendUpdate(std::size_t index, Clock::time_point due);
  void Heartbeat(std::size_t index);
  void WorkerFailed(std::size_t index, const std::string& operation, const std::string& why);
  void Drain();
  void SubmitAll();
  void Finish();

  const RouterConnections& router_;
  LiveOptions options_;
  LatencyStats& stats_;
  LatencyStats own_;
  // Registrations, socket openings and alive (before the window) and the final submissions
  // (after it): their latencies, without rates.
  LatencyStats outside_window_;
  MeasurementWindow window_;
  RunTimers timers_;
  std::function<void()> finished_;
  Phase phase_ = Phase::kConnecting;

  std::vector<Worker> workers_;
  std::size_t settled_ = 0;
  std::vector<std::size_t> in_task_;  // workers that may send, round robin
  std::size_t next_sender_ = 0;

  std::uint64_t next_update_id_ = 1;
  std::unordered_map<std::uint64_t, Sent> in_flight_;
  std::uint64_t sent_ = 0, delivered_ = 0, duplicates_ = 0, unexpected_ = 0;
  std::uint64_t not_sent_ = 0;  // due while no worker was in task
  std::uint64_t submitted_ = 0, submits_done_ = 0;
  std::map<std::string, std::uint64_t> other_frames_;
};

}  // namespace throng::loadgen

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "latency_stats.hpp"
#include "measurement_window.hpp"
#include "router_connections.hpp"
#include "run_timers.hpp"

namespace throng::loadgen {

struct StaticOptions {
  double arrival_rate = 50;  // new workers per second (open loop)
  std::size_t workers = 0;   // arrivals in all; 0: arrival_rate * (warmup + duration)
  double think_seconds = 5;  // from registration to submission
  double submit_rate = 0;    // > 0: everyone registers first, then submits at this rate
  double warmup_seconds = 2;
  double duration_seconds = 10;  // the window, when submit_rate is 0
  std::string worker_prefix = "lg";
};

// Static-task workers (mephisto-task's useMephistoTask, HTTP only): each arrival opens the page
// (GET /), reads /task_config.json, registers (POST /request_agent), works for think_seconds
// and submits (POST /submit_task), on one kept-alive connection as a browser tab does.
// Arrivals are open loop. With submit_rate, every worker registers and waits, then submissions
// go out at that rate, and the window is the submission phase.
class StaticLoad {
 public:
  using Clock = std::chrono::steady_clock;

  StaticLoad(const RouterConnections& router, StaticOptions options, LatencyStats& stats);

  void Start(std::function<void()> finished);
  const MeasurementWindow& window() const { return window_; }
  nlohmann::json Details() const;
  const LatencyStats& own() const { return own_; }

 private:
  struct Worker {
    std::shared_ptr<HttpClient> http;
    std::string agent_id;
    bool mid_task = false;  // registered, not yet submitted
  };
  using Next = std::function<void(const std::string& body)>;

  void Arrive(std::size_t index, Clock::time_point due);
  // One request of a worker, timed as `operation`; `next` gets the body of a 200 answer.
  void Step(std::size_t index, boost::beast::http::verb method, const std::string& path,
            std::string body, const std::string& operation, Clock::time_point started, Next next);
  void Registered(std::size_t index, Clock::time_point now);
  void Submit(std::size_t index, Clock::time_point due);
  void Done(std::size_t index);
  void StartSubmitting();
  void Finish();

  const RouterConnections& router_;
  StaticOptions options_;
  LatencyStats& stats_;
  LatencyStats own_;
  MeasurementWindow window_;
  std::function<void()> finished_;

  std::vector<Worker> workers_;
  std::size_t done_ = 0;
  std::size_t mid_task_ = 0;
  std::size_t mid_task_max_ = 0;
  double mid_task_sum_ = 0;
  std::size_t mid_task_samples_ = 0;
  std::size_t acknowledged_ = 0;
  std::deque<std::size_t> waiting_to_submit_;
  std::size_t registered_or_failed_ = 0;
  bool finished_called_ = false;
  RunTimers timers_;
};

}  // namespace throng::loadgen

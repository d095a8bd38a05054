#include "live_load.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "frame_scan.hpp"
#include "worker_packets.hpp"

namespace throng::loadgen {

namespace http = boost::beast::http;

namespace {

bool Final(std::string_view status) {
  return status == "disconnect" || status == "timeout" || status == "partner disconnect" ||
         status == "expired" || status == "returned" || status == "completed";
}

}  // namespace

LiveLoad::LiveLoad(const RouterConnections& router, LiveOptions options, LatencyStats& stats)
    : router_(router),
      options_(std::move(options)),
      stats_(stats),
      timers_(router.io()),
      workers_(options_.workers) {}

void LiveLoad::Start(std::function<void()> finished) {
  finished_ = std::move(finished);
  spdlog::info("opening {} live pages at {}/s", options_.workers, options_.connect_rate);
  outside_window_.OpenWindow(Clock::now());
  timers_.Paced(workers_.size(), options_.connect_rate,
                [this](std::size_t index, Clock::time_point) { Connect(index); });
}

void LiveLoad::Connect(std::size_t index) {
  auto http = router_.Http();
  auto name = options_.worker_prefix + "-" + std::to_string(index);
  auto started = Clock::now();
  http->Request(http::verb::post, "/request_agent",
                RequestAgentBody(name, options_.worker_prefix + "_a" + std::to_string(index)),
                [this, index, http, started](const boost::beast::error_code& error, unsigned status,
                                             const std::string& body) {
                  http->Close();
                  if (error) return WorkerFailed(index, "request_agent", error.message());
                  if (status != 200) {
                    return WorkerFailed(index, "request_agent", "HTTP " + std::to_string(status));
                  }
                  std::string why;
                  auto agent_id = AgentIdOf(body, why);
                  if (!agent_id) return WorkerFailed(index, "request_agent", why);
                  outside_window_.Record("request_agent", started, Clock::now());
                  workers_[index].agent_id = *agent_id;
                  OpenSocket(index);
                });
}

void LiveLoad::OpenSocket(std::size_t index) {
  WsClient::Handlers handlers;
  handlers.on_frame = [this, index](std::string_view frame) { OnFrame(index, frame); };
  handlers.on_closed = [this, index](const std::string& why) {
    if (phase_ != Phase::kDone) WorkerFailed(index, "websocket", why);
  };
  workers_[index].ws = router_.Ws(std::move(handlers));
  auto started = Clock::now();
  workers_[index].ws->Open(router_.timeout(), [this, index, started](const std::string& error) {
    if (!error.empty()) return WorkerFailed(index, "ws_open", error);
    auto& worker = workers_[index];
    outside_window_.Record("ws_open", started, Clock::now());
    worker.alive_sent = Clock::now();
    worker.ws->Send(AliveFrame(worker.agent_id));
    worker.heartbeat = std::make_unique<boost::asio::steady_timer>(router_.io());
    worker.heartbeat->expires_after(std::chrono::milliseconds(500));
    worker.heartbeat->async_wait([this, index](const boost::system::error_code& timer_error) {
      if (!timer_error) Heartbeat(index);
    });
    Settled();
  });
}

void LiveLoad::Heartbeat(std::size_t index) {
  auto& worker = workers_[index];
  if (worker.failed || !worker.ws || !worker.ws->open()) return;
  worker.heartbeats_sent.push_back(Clock::now());
  worker.ws->Send(HeartbeatFrame(worker.agent_id));
  worker.heartbeat->expires_after(Seconds(options_.heartbeat_seconds));
  worker.heartbeat->async_wait([this, index](const boost::system::error_code& error) {
    if (!error) Heartbeat(index);
  });
}

void LiveLoad::WorkerFailed(std::size_t index, const std::string& operation,
                            const std::string& why) {
  auto& worker = workers_[index];
  if (worker.failed) return;
  bool was_settled = worker.ws != nullptr && worker.alive_sent != Clock::time_point{};
  worker.failed = true;
  stats_.Fail(operation, why);
  if (worker.in_task) {
    worker.in_task = false;
    std::erase(in_task_, index);
  }
  if (worker.heartbeat) worker.heartbeat->cancel();
  if (worker.ws) worker.ws->Close();
  if (!was_settled) Settled();
}

void LiveLoad::Settled() {
  if (++settled_ < workers_.size()) return;
  std::size_t failed = 0;
  for (const auto& worker : workers_) failed += worker.failed ? 1 : 0;
  spdlog::info("{} pages open ({} failed); warming up for {} s", workers_.size() - failed, failed,
               options_.warmup_seconds);
  phase_ = Phase::kRunning;
  StartSending();
  timers_.After(options_.warmup_seconds, [this] {
    window_.Open({&stats_, &own_});
    timers_.After(options_.duration_seconds, [this] {
      window_.Close({&stats_, &own_});
      Drain();
    });
  });
}

void LiveLoad::StartSending() {
  if (options_.closed_loop) {
    for (auto index : in_task_) SendUpdate(index, Clock::now());
    return;
  }
  if (options_.update_rate <= 0) return;
  timers_.PacedWhile(options_.update_rate, [this](std::size_t, Clock::time_point due) {
    if (phase_ != Phase::kRunning) return false;
    if (in_task_.empty()) {
      ++not_sent_;
      return true;
    }
    own_.Record("send_lag", due, Clock::now());
    SendUpdate(in_task_[next_sender_++ % in_task_.size()], due);
    return true;
  });
}

void LiveLoad::SendUpdate(std::size_t index, Clock::time_point due) {
  auto& worker = workers_[index];
  auto id = next_update_id_++;
  in_flight_.emplace(id, Sent{due, index});
  ++sent_;
  worker.ws->Send(LiveUpdateFrame(worker.agent_id, id, options_.update_bytes));
}

void LiveLoad::OnFrame(std::size_t index, std::string_view frame) {
  auto now = Clock::now();
  auto type = StringField(frame, "packet_type").value_or("");
  if (type == "client_bound_live_update") return OnUpdate(frame, now);
  auto& worker = workers_[index];
  if (type == "heartbeat") {
    if (!worker.heartbeats_sent.empty()) {
      stats_.Record("heartbeat", worker.heartbeats_sent.front(), now);
      worker.heartbeats_sent.pop_front();
    }
    return;
  }
  if (type == "update_status") {
    if (!worker.alive_answered) {
      worker.alive_answered = true;
      outside_window_.Record("alive", worker.alive_sent, now);
    }
    OnStatus(index, StringField(frame, "status").value_or(""));
    return;
  }
  ++other_frames_[std::string(type.empty() ? "(no packet_type)" : type)];
}

void LiveLoad::OnStatus(std::size_t index, std::string_view status) {
  auto& worker = workers_[index];
  if (worker.failed) return;
  worker.status = std::string(status);
  if (status == "in task" && !worker.in_task) {
    worker.in_task = true;
    in_task_.push_back(index);
    if (options_.closed_loop && phase_ == Phase::kRunning) SendUpdate(index, Clock::now());
  } else if (Final(status) && worker.in_task) {
    worker.in_task = false;
    std::erase(in_task_, index);
  }
}

void LiveLoad::OnUpdate(std::string_view frame, Clock::time_point now) {
  auto id_text = StringField(frame, "update_id").value_or("");
  std::uint64_t id = 0;
  auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (error != std::errc() || end != id_text.data() + id_text.size()) {
    ++unexpected_;
    return;
  }
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) {
    ++(id < next_update_id_ ? duplicates_ : unexpected_);
    return;
  }
  stats_.Record("live_update", it->second.due, now);
  ++delivered_;
  auto owner = it->second.worker;
  in_flight_.erase(it);
  if (options_.closed_loop && phase_ == Phase::kRunning && workers_[owner].in_task) {
    SendUpdate(owner, now);
  }
}

void LiveLoad::Drain() {
  phase_ = Phase::kDraining;
  auto until = Clock::now() + Seconds(options_.drain_seconds);
  timers_.Every(std::chrono::milliseconds(10), [this, until] {
    if (!in_flight_.empty() && Clock::now() < until) return true;
    if (options_.submit_at_end) {
      SubmitAll();
    } else {
      Finish();
    }
    return false;
  });
}

void LiveLoad::SubmitAll() {
  phase_ = Phase::kSubmitting;
  std::vector<std::size_t> submitting;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (!workers_[i].failed && workers_[i].in_task) submitting.push_back(i);
  }
  spdlog::info("{} workers submitting", submitting.size());
  if (submitting.empty()) return Finish();
  submitted_ = submitting.size();
  auto order = std::make_shared<std::vector<std::size_t>>(std::move(submitting));
  timers_.Paced(order->size(), options_.connect_rate,
                [this, order](std::size_t k, Clock::time_point) {
                  auto index = (*order)[k];
                  auto http = router_.Http();
                  auto started = Clock::now();
                  http->Request(http::verb::post, "/submit_task",
                                SubmitTaskBody(workers_[index].agent_id, R"({"done":true})"),
                                [this, http, started](const boost::beast::error_code& error,
                                                      unsigned status, const std::string&) {
                                  http->Close();
                                  if (error) {
                                    stats_.Fail("submit_task", error.message());
                                  } else if (status != 200) {
                                    stats_.Fail("submit_task", "HTTP " + std::to_string(status));
                                  } else {
                                    outside_window_.Record("submit_task", started, Clock::now());
                                  }
                                  if (++submits_done_ == submitted_) Finish();
                                });
                });
}

void LiveLoad::Finish() {
  if (phase_ == Phase::kDone) return;
  phase_ = Phase::kDone;
  for (auto& worker : workers_) {
    if (worker.heartbeat) worker.heartbeat->cancel();
    if (worker.ws) worker.ws->Close();
  }
  timers_.CancelAll();
  if (finished_) finished_();
}

nlohmann::json LiveLoad::Details() const {
  std::size_t failed = 0, in_task = 0;
  std::map<std::string, std::size_t> statuses;
  for (const auto& worker : workers_) {
    failed += worker.failed ? 1 : 0;
    in_task += worker.in_task ? 1 : 0;
    ++statuses[worker.status];
  }
  nlohmann::json others = nlohmann::json::object();
  for (const auto& [type, count] : other_frames_) others[type] = count;
  return {{"workers",
           {{"requested", workers_.size()},
            {"failed", failed},
            {"in_task_at_end", in_task},
            {"last_statuses", statuses}}},
          {"delivery",
           {{"sent", sent_},
            {"delivered", delivered_},
            {"duplicates", duplicates_},
            {"never_delivered", in_flight_.size()},
            {"unexpected", unexpected_},
            {"not_sent_no_worker_in_task", not_sent_}}},
          {"submissions", {{"attempted", submitted_}}},
          {"outside_window", outside_window_.OperationsJson(0)},
          {"other_frames", others}};
}

bool LiveLoad::SentNothingAskedFor() const {
  bool asked = options_.closed_loop || options_.update_rate > 0;
  return asked && (sent_ == 0 || not_sent_ > 0);
}

}  // namespace throng::loadgen

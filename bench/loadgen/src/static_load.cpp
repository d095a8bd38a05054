#include "static_load.hpp"

#include <spdlog/spdlog.h>

#include "worker_packets.hpp"

namespace throng::loadgen {

namespace http = boost::beast::http;

StaticLoad::StaticLoad(const RouterConnections& router, StaticOptions options, LatencyStats& stats)
    : router_(router), options_(std::move(options)), stats_(stats), timers_(router.io()) {
  if (options_.workers == 0) {
    options_.workers = static_cast<std::size_t>(
        options_.arrival_rate * (options_.warmup_seconds + options_.duration_seconds));
  }
  workers_.resize(options_.workers);
}

void StaticLoad::Start(std::function<void()> finished) {
  finished_ = std::move(finished);
  spdlog::info("{} static workers arriving at {}/s", workers_.size(), options_.arrival_rate);
  timers_.Paced(workers_.size(), options_.arrival_rate,
                [this](std::size_t index, Clock::time_point due) {
                  own_.Record("arrival_lag", due, Clock::now());
                  Arrive(index, due);
                });
  if (options_.submit_rate <= 0) {
    timers_.After(options_.warmup_seconds, [this] {
      window_.Open({&stats_, &own_});
      timers_.After(options_.duration_seconds, [this] {
        window_.Close({&stats_, &own_});
        if (done_ == workers_.size()) Finish();
      });
    });
  }
  timers_.Every(std::chrono::milliseconds(100), [this] {
    if (window_.opened() && !window_.closed()) {
      mid_task_sum_ += static_cast<double>(mid_task_);
      ++mid_task_samples_;
    }
    return true;
  });
}

void StaticLoad::Step(std::size_t index, http::verb method, const std::string& path,
                      std::string body, const std::string& operation, Clock::time_point started,
                      Next next) {
  workers_[index].http->Request(
      method, path, std::move(body),
      [this, index, operation, started, next = std::move(next)](
          const boost::beast::error_code& error, unsigned status, const std::string& answer) {
        if (error || status != 200) {
          stats_.Fail(operation, error ? error.message() : "HTTP " + std::to_string(status));
          return Done(index);
        }
        stats_.Record(operation, started, Clock::now());
        next(answer);
      });
}

void StaticLoad::Arrive(std::size_t index, Clock::time_point due) {
  auto& worker = workers_[index];
  worker.http = router_.Http();
  // The page's latency counts from the arrival's due time, however late the generator was.
  Step(index, http::verb::get, "/", "", "page", due, [this, index](const std::string&) {
    Step(index, http::verb::get, "/task_config.json?mephisto_task_version=2.0.4", "", "task_config",
         Clock::now(), [this, index](const std::string&) {
           auto name = options_.worker_prefix + "-" + std::to_string(index);
           auto assignment = options_.worker_prefix + "_a" + std::to_string(index);
           Step(index, http::verb::post, "/request_agent", RequestAgentBody(name, assignment),
                "request_agent", Clock::now(), [this, index](const std::string& details) {
                  std::string why;
                  auto agent_id = AgentIdOf(details, why);
                  if (!agent_id) {
                    stats_.Fail("request_agent", why);
                    return Done(index);
                  }
                  workers_[index].agent_id = *agent_id;
                  Registered(index, Clock::now());
                });
         });
  });
}

void StaticLoad::Registered(std::size_t index, Clock::time_point now) {
  workers_[index].mid_task = true;
  mid_task_max_ = std::max(mid_task_max_, ++mid_task_);
  if (options_.submit_rate > 0) {
    waiting_to_submit_.push_back(index);
    if (++registered_or_failed_ == workers_.size()) StartSubmitting();
    return;
  }
  auto due = now + Seconds(options_.think_seconds);
  auto timer = std::make_shared<boost::asio::steady_timer>(router_.io(), due);
  timer->async_wait([this, index, due, timer](const boost::system::error_code& error) {
    if (!error) Submit(index, due);
  });
}

void StaticLoad::Submit(std::size_t index, Clock::time_point due) {
  Step(index, http::verb::post, "/submit_task",
       SubmitTaskBody(workers_[index].agent_id, R"({"answer":"loadgen","rating":4})"),
       "submit_task", due, [this, index](const std::string&) {
         ++acknowledged_;
         Done(index);
       });
}

void StaticLoad::StartSubmitting() {
  spdlog::info("{} workers registered; submitting at {}/s", waiting_to_submit_.size(),
               options_.submit_rate);
  window_.Open({&stats_, &own_});
  std::vector<std::size_t> order(waiting_to_submit_.begin(), waiting_to_submit_.end());
  waiting_to_submit_.clear();
  timers_.Paced(order.size(), options_.submit_rate,
                [this, order](std::size_t k, Clock::time_point due) {
                  own_.Record("submit_lag", due, Clock::now());
                  Submit(order[k], due);
                });
}

void StaticLoad::Done(std::size_t index) {
  auto& worker = workers_[index];
  if (worker.http) worker.http->Close();
  if (worker.mid_task) {
    worker.mid_task = false;
    --mid_task_;
  }
  if (options_.submit_rate > 0 && worker.agent_id.empty()) {
    // Failed before registering: no submission will come.
    if (++registered_or_failed_ == workers_.size()) StartSubmitting();
  }
  if (++done_ < workers_.size()) return;
  if (options_.submit_rate > 0) window_.Close({&stats_, &own_});
  if (options_.submit_rate > 0 || window_.closed()) Finish();
}

void StaticLoad::Finish() {
  if (finished_called_) return;
  finished_called_ = true;
  timers_.CancelAll();
  if (finished_) finished_();
}

nlohmann::json StaticLoad::Details() const {
  return {{"workers", {{"arrived", workers_.size()}, {"finished", done_}}},
          {"submissions", {{"acknowledged", acknowledged_}}},
          {"mid_task",
           {{"max", mid_task_max_},
            {"mean_in_window",
             mid_task_samples_ ? mid_task_sum_ / static_cast<double>(mid_task_samples_) : 0.0}}}};
}

}  // namespace throng::loadgen

#include "router_app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "throng/common/exit_codes.hpp"

namespace throng::router {

RouterApp::RouterApp(RouterConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(std::make_shared<ServiceMetrics>("router")),
      probe_(metrics_->Registry()),
      tick_(io_) {}

RouterApp::~RouterApp() {
  if (publisher_) publisher_->Stop();
  if (admin_) admin_->Stop();
  if (link_) link_->Stop();
}

Result<void> RouterApp::Start() {
  OperatorLink::Callbacks callbacks;
  callbacks.on_envelopes = [this](std::vector<v1::Envelope> batch) {
    boost::asio::post(io_, [this, batch = std::move(batch)]() mutable {
      for (auto& envelope : batch) api_->OnOperatorEnvelope(std::move(envelope));
    });
  };
  callbacks.on_send_failed = [this](v1::Envelope envelope) {
    boost::asio::post(io_,
                      [this, envelope = std::move(envelope)] { api_->OnSendFailed(envelope); });
  };
  link_ = std::make_unique<OperatorLink>(config_.operator_endpoint, config_.instance_id,
                                         config_.operator_stale_after, clock_, probe_,
                                         std::move(callbacks));
  hub_ = std::make_unique<LiveHub>(config_, gate_, *link_, probe_, clock_);
  api_ = std::make_unique<WorkerApi>(io_, config_, gate_, *link_, *hub_, probe_, clock_);

  HttpServerOptions options;
  options.address = config_.listen_address;
  options.port = static_cast<std::uint16_t>(config_.port);
  options.body_limit = config_.body_limit;
  options.server_name = "throng-router";
  http_ = std::make_unique<HttpServer>(
      io_, options,
      [this](HttpRequest&& request, std::shared_ptr<HttpResponder> responder) {
        api_->Handle(std::move(request), std::move(responder));
      },
      [this](HttpRequest&& request, boost::beast::tcp_stream&& stream) {
        auto session =
            std::make_shared<WsSession>(std::move(stream), *hub_, config_.ws_frame_limit,
                                        ++next_session_id_, &probe_, config_.ws_send_queue_limit);
        session->Start(std::move(request));
      });
  if (auto started = http_->Start(); !started) return started;
  started_ms_ = clock_.NowMillis();
  link_->Start();

  HttpServerOptions admin_options;
  admin_options.address = config_.admin_address;
  admin_options.port = static_cast<std::uint16_t>(config_.admin_port);
  admin_ = std::make_unique<AdminServer>(admin_options, metrics_);
  admin_->SetReadiness([this](std::string& reason) {
    if (stop_requests_ > 0) {
      reason = "stopping: no new connections, finishing held requests";
      return false;
    }
    bool ready = link_->OperatorReachable();
    if (!ready) reason = "operator not reachable at " + config_.operator_endpoint;
    return ready;
  });
  if (auto started = admin_->Start(); !started) return started;

  publisher_ = std::make_unique<MetricsPublisher>(PublisherOptionsFor("router", config_), metrics_);
  publisher_->Start();
  spdlog::info("router {} serving workers on {}:{} (admin {}:{}), operator {}", config_.instance_id,
               config_.listen_address, http_->Port(), config_.admin_address, admin_->Port(),
               config_.operator_endpoint);
  return {};
}

void RouterApp::RequestStop(int count) {
  int previous = stop_requests_.load();
  while (previous < count && !stop_requests_.compare_exchange_weak(previous, count)) {
  }
}

void RouterApp::Tick() {
  bool reachable = link_->OperatorReachable();
  probe_.SetOperatorReachable(reachable);
  // Starting until the operator's first heartbeat; an operator that went away, or never came
  // within operator_stale_after, is an error until it beats again.
  if (reachable) {
    metrics_->State().Set(ServiceState::State::kRunning);
  } else if (link_->LastBeatMs() != 0 ||
             clock_.NowMillis() - started_ms_ > config_.operator_stale_after.count()) {
    metrics_->State().Set(ServiceState::State::kError);
  }
  if (++ticks_ % 10 == 0) hub_->Sweep();
  int requested = stop_requests_.load();
  if (requested > stop_handled_) {
    if (stop_handled_ == 0) {
      metrics_->State().Set(ServiceState::State::kDraining);
      spdlog::info("router draining: no new connections, {} held requests to finish",
                   api_->HeldCount());
      http_->Stop();
      hub_->CloseAll();
      drain_deadline_ = std::chrono::steady_clock::now() + config_.request_timeout;
      close_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    stop_handled_ = requested;
  }
  // Stop once held requests are answered and sockets have seen their close frame (both
  // bounded: the request timeout, and one second for close handshakes).
  bool sockets_done =
      hub_->Connections() == 0 || std::chrono::steady_clock::now() > close_deadline_;
  if (stop_handled_ > 0 && (stop_handled_ > 1 || (api_->HeldCount() == 0 && sockets_done) ||
                            std::chrono::steady_clock::now() > drain_deadline_)) {
    io_.stop();
    return;
  }
  ScheduleTick();
}

void RouterApp::ScheduleTick() {
  tick_.expires_after(std::chrono::milliseconds(100));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // Every HTTP request, socket and operator reply shares this thread: a timer running late
    // means work is waiting in line.
    probe_.SetEventLoopLag(loop_lag_.Record(tick_.expiry(), std::chrono::steady_clock::now()));
    Tick();
  });
}

int RouterApp::Run() {
  Tick();
  io_.run();
  spdlog::info("router stopping");
  if (publisher_) publisher_->Stop();
  if (admin_) admin_->Stop();
  link_->Stop();
  spdlog::info("router stopped");
  return kExitOk;
}

}  // namespace throng::router

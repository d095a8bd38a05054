#include "aggregator_app.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

#include "index_page.hpp"
#include "throng/common/exit_codes.hpp"

namespace throng::aggregator {

AggregatorApp::AggregatorApp(AggregatorConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(std::make_shared<ServiceMetrics>("aggregator")),
      probe_(metrics_->Registry()) {
  probe_.ReportStateTo(&metrics_->State());
}

AggregatorApp::~AggregatorApp() { Stop(); }

Result<void> AggregatorApp::Start() {
  RefresherOptions refresher_options;
  refresher_options.redis_url = config_.redis_url;
  refresher_options.key_prefix = config_.metrics_prefix;
  refresher_options.services = config_.services;
  refresher_options.interval = config_.refresh_interval;
  refresher_options.max_stale = config_.max_stale;
  refresher_options.restart_hold = config_.restart_hold;
  refresher_ = std::make_unique<SnapshotRefresher>(refresher_options, probe_, clock_);

  HttpServerOptions admin_options;
  admin_options.address = config_.listen_address;
  admin_options.port = static_cast<std::uint16_t>(config_.port);
  admin_ = std::make_unique<AdminServer>(admin_options, metrics_);
  for (const auto& service : config_.services) {
    admin_->AddRoute("/metrics/" + service, [this, service](const HttpRequest& request) {
      return ServeService(request, service);
    });
  }
  admin_->AddRoute("/", [this](const HttpRequest& request) { return ServeIndex(request); });
  admin_->SetReadiness([this](std::string& reason) {
    bool ready = refresher_->Ready();
    if (!ready) reason = "no successful refresh from Redis yet (" + config_.redis_url + ")";
    return ready;
  });
  if (auto started = admin_->Start(); !started) {
    return Fail(started.error().message +
                "; set --listen-address and --port (THRONG_LISTEN_ADDRESS, THRONG_PORT)");
  }
  refresher_->Start();

  publisher_ =
      std::make_unique<MetricsPublisher>(PublisherOptionsFor("aggregator", config_), metrics_);
  publisher_->Start();

  std::string services;
  for (const auto& service : config_.services) services += (services.empty() ? "" : ",") + service;
  spdlog::info("aggregator {} serving /metrics/{{{}}} on {}:{} from {}", config_.instance_id,
               services, config_.listen_address, admin_->Port(), config_.redis_url);
  return {};
}

HttpResponse AggregatorApp::ServeService(const HttpRequest& request,
                                         const std::string& service) const {
  // Only pointer copies: the scrape path never touches Redis, and every response in flight
  // sends the view's one text (held alive by the aliasing pointer).
  auto view = refresher_->View(service);
  auto text = view ? std::shared_ptr<const std::string>(view, &view->text)
                   : std::make_shared<const std::string>();
  return SharedTextResponse(request, http::status::ok, std::move(text),
                            "text/plain; version=0.0.4; charset=utf-8");
}

HttpResponse AggregatorApp::ServeIndex(const HttpRequest& request) const {
  IndexPage page;
  page.instance_id = config_.instance_id;
  page.redis_up = refresher_->RedisUp();
  page.now_s = clock_.NowSeconds();
  for (const auto& service : config_.services) {
    page.services.emplace_back(service, refresher_->View(service));
  }
  std::string_view target(request.target().data(), request.target().size());
  auto mark = target.find('?');
  auto query = mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1);
  bool json = false;
  while (!query.empty() && !json) {
    auto amp = query.find('&');
    json = query.substr(0, amp) == "format=json";
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  if (json) return JsonResponse(request, http::status::ok, RenderIndexJson(page));
  return TextResponse(request, http::status::ok, RenderIndexText(page),
                      "text/plain; charset=utf-8");
}

void AggregatorApp::RequestStop(int /*count*/) {
  metrics_->State().Set(ServiceState::State::kDraining);
  {
    std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
  }
  stop_wake_.notify_all();
}

int AggregatorApp::Run() {
  {
    std::unique_lock lock(stop_mutex_);
    stop_wake_.wait(lock, [this] { return stop_requested_; });
  }
  spdlog::info("aggregator stopping");
  Stop();
  spdlog::info("aggregator stopped");
  return kExitOk;
}

void AggregatorApp::Stop() {
  // The publisher's last act removes our own snapshot, so we vanish from /metrics/aggregator.
  if (publisher_) publisher_->Stop();
  if (refresher_) refresher_->Stop();
  if (admin_) admin_->Stop();
}

}  // namespace throng::aggregator

#include "operator_app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "embedded_migrations.hpp"
#include "illegal_transition.hpp"
#include "live_coordinator.hpp"
#include "migrator.hpp"
#include "operator_lease.hpp"
#include "packet_handler.hpp"
#include "pg_task_store.hpp"
#include "run_census.hpp"
#include "shutdown_steps.hpp"
#include "throng/common/envelope_codec.hpp"
#include "throng/common/exit_codes.hpp"

namespace throng::operator_ {

namespace {

// A router that has not said anything for this long is considered gone.
constexpr std::int64_t kRouterSilenceMs = 10'000;
// The per-run status census scans the live runs' units: every few maintenance rounds.
constexpr std::int64_t kCensusEveryRounds = 5;

// Runs one maintenance step. A status change the database refused fails that step alone (the
// session logged and counted it) and the round goes on; any other error ends the round.
template <typename Fn>
void Step(Fn&& step) {
  try {
    step();
  } catch (const pqxx::sql_error& e) {
    if (!AsIllegalTransition(e)) throw;
  }
}

}  // namespace

OperatorApp::OperatorApp(OperatorConfig config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      metrics_(std::make_shared<ServiceMetrics>("operator")),
      probe_(metrics_->Registry()),
      context_(1),
      socket_(context_, zmq::socket_type::router) {}

OperatorApp::~OperatorApp() {
  RequestStop(2);
  {
    std::lock_guard lock(jobs_mutex_);
    workers_stopping_ = true;
  }
  jobs_ready_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  maintenance_wake_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  if (publisher_) publisher_->Stop();
  if (admin_) admin_->Stop();
}

Result<void> OperatorApp::Start() {
  try {
    pqxx::connection connection(config_.pg_dsn);
    auto report = ApplyMigrations(connection, EmbeddedMigrations());
    if (!report) return tl::unexpected(report.error());
    spdlog::info("database schema at version {} ({} migrations applied now)",
                 report->current_version, report->applied);
    agent_ids_ = std::make_unique<AgentIds>(LoadAgentCredentials(connection));
  } catch (const std::exception& e) {
    return Fail(std::string("cannot connect to PostgreSQL (") + e.what() +
                "); set --pg-dsn or THRONG_PG_DSN");
  }
  db_ok_ = true;

  HttpServerOptions admin_options;
  admin_options.address = config_.admin_address;
  admin_options.port = static_cast<std::uint16_t>(config_.admin_port);
  admin_ = std::make_unique<AdminServer>(admin_options, metrics_);
  admin_->SetReadiness([this](std::string& reason) {
    if (standby_) {
      reason = "standby: another operator holds the lease on this database";
      return false;
    }
    if (stop_requests_ > 0) {
      reason = "stopping: finishing in-flight work, handing out no new units";
      return false;
    }
    if (!db_ok_) reason = "PostgreSQL is not reachable";
    return db_ok_.load();
  });
  if (auto started = admin_->Start(); !started) return started;

  if (auto leased = AcquireLease(); !leased) return leased;
  if (stop_requests_ > 0) {
    drained_ = true;  // stopped while standing by: nothing was served
    return {};
  }
  // The first heartbeat must already list the live runs: routers replace their run table with
  // what a beat says, and an empty one would turn workers away until maintenance ran.
  try {
    PgTaskStore store(config_.pg_dsn);
    std::lock_guard lock(runs_mutex_);
    live_runs_ = store.LiveRuns();
  } catch (const std::exception& e) {
    return Fail(std::string("cannot read the live task runs (") + e.what() + ")");
  }

  try {
    socket_.set(zmq::sockopt::linger, 0);
    // A message for a router that is gone (or not reading) fails to send, and is counted,
    // instead of vanishing.
    socket_.set(zmq::sockopt::router_mandatory, true);
    socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxEnvelopeBytes));
    socket_.set(zmq::sockopt::sndhwm, kEnvelopeQueueLimit);
    socket_.set(zmq::sockopt::rcvhwm, kEnvelopeQueueLimit);
    socket_.bind(config_.bind);
    bound_endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Fail("cannot bind ZeroMQ endpoint " + config_.bind + " (" + e.what() +
                "); set --bind or THRONG_BIND");
  }

  probe_.SetDbWorkers(config_.db_workers);
  for (int i = 0; i < config_.db_workers; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
  maintenance_ = std::thread([this] { MaintenanceLoop(); });

  publisher_ =
      std::make_unique<MetricsPublisher>(PublisherOptionsFor("operator", config_), metrics_);
  publisher_->Start();
  started_ = true;
  metrics_->State().Set(ServiceState::State::kRunning);
  spdlog::info("operator {} listening on {} (admin 127.0.0.1:{})", config_.instance_id,
               bound_endpoint_, admin_->Port());
  return {};
}

Result<void> OperatorApp::AcquireLease() {
  lease_ = std::make_unique<OperatorLease>(config_.pg_dsn, config_.instance_id);
  bool announced = false;
  while (stop_requests_ == 0) {
    try {
      if (lease_->TryAcquire()) break;
      if (!announced) {
        spdlog::info(
            "standby: operator {} holds the lease on this database; taking over when "
            "it goes away",
            lease_->Holder());
        announced = true;
      }
      standby_ = true;
      metrics_->State().Set(ServiceState::State::kStandby);
    } catch (const std::exception& e) {
      return Fail(std::string("cannot take the operator lease (") + e.what() + ")");
    }
    std::unique_lock lock(maintenance_mutex_);
    maintenance_wake_.wait_for(lock, config_.maintenance_interval,
                               [this] { return stop_requests_ != 0; });
  }
  if (standby_ && stop_requests_ == 0) spdlog::info("the lease is ours: taking over");
  standby_ = false;
  return {};
}

void OperatorApp::RequestStop(int count) {
  int previous = stop_requests_.load();
  while (previous < count && !stop_requests_.compare_exchange_weak(previous, count)) {
  }
  // A lost lease stops the operator too, but that is its error state, not a drain.
  if (!lease_lost_) metrics_->State().Set(ServiceState::State::kDraining);
  maintenance_wake_.notify_all();
}

int OperatorApp::Run() {
  auto next_beat = clock_.NowMillis();
  // One stop request: keep serving until the maintenance thread reports every assigned unit
  // submitted (or drain_timeout passed); two: stop now.
  while (stop_requests_ < 2 && !(stop_requests_ == 1 && drained_)) {
    zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0},
                               {nullptr, replies_.fd(), ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      spdlog::error("poll failed: {}", e.what());
      return kExitRuntime;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      // Drain what is readable now, bounded so replies are not starved.
      for (int i = 0; i < 256; ++i) {
        zmq::message_t identity;
        if (!socket_.recv(identity, zmq::recv_flags::dontwait)) break;
        probe_.ZmqMessageReceived();
        std::vector<zmq::message_t> frames;
        while (identity.more() || (!frames.empty() && frames.back().more())) {
          zmq::message_t frame;
          if (!socket_.recv(frame, zmq::recv_flags::none)) break;
          frames.push_back(std::move(frame));
          if (!frames.back().more()) break;
        }
        if (frames.size() != 1) {
          probe_.EnvelopeRejected("framing");
          continue;
        }
        OnRouterMessage(identity.to_string(), frames.front());
      }
    }
    if (items[1].revents & ZMQ_POLLIN) {
      for (auto& reply : replies_.Drain()) Route(reply);
    }
    if (clock_.NowMillis() >= next_beat) {
      SendBeats();
      next_beat = clock_.NowMillis() + config_.beat_interval.count();
    }
  }

  spdlog::info("operator stopping: finishing queued packets");
  const bool now = stop_requests_ > 1;
  {
    std::lock_guard lock(jobs_mutex_);
    workers_stopping_ = true;
    if (now) jobs_.clear();
  }
  jobs_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  for (auto& reply : replies_.Drain()) Route(reply);
  maintenance_wake_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  if (now && started_) {  // a standby never served: nothing of its own to disconnect
    try {
      PgTaskStore store(config_.pg_dsn, ProbeObserver());
      store.Timed("unlaunch_units", UnlaunchUnits);
      auto disconnected = store.Timed("disconnect_active_agents", DisconnectActiveAgents);
      spdlog::info("stopped now: {} active agents disconnected; their units will be relaunched",
                   disconnected);
    } catch (const std::exception& e) {
      spdlog::error("could not disconnect active agents: {}", e.what());
    }
  }
  if (publisher_) publisher_->Stop();
  if (admin_) admin_->Stop();
  spdlog::info("operator stopped");
  return lease_lost_ ? kExitDependency : kExitOk;
}

void OperatorApp::OnRouterMessage(std::string identity, const zmq::message_t& frame) {
  auto envelope = DecodeEnvelope(frame);
  if (!envelope) {
    probe_.EnvelopeRejected("decode");
    spdlog::warn("dropping envelope from router: {}", envelope.error().message);
    return;
  }
  bool is_new = routers_.find(identity) == routers_.end();
  routers_[identity] = clock_.NowMillis();
  if (envelope->kind() == v1::ENVELOPE_KIND_ROUTER_HELLO) {
    if (is_new) {
      spdlog::info("router {} attached", envelope->router_id());
      SendBeats();  // tell it about live runs at once
    }
    return;
  }
  if (envelope->kind() != v1::ENVELOPE_KIND_PACKET) {
    probe_.EnvelopeRejected("kind");
    return;
  }
  if (envelope->packet_type() == "alive" && !envelope->agent_id().empty()) {
    // The agent's socket is on this router now: packets for it go here (R5). A worker then
    // tells it the agent's status and resends what it missed.
    agent_routers_[envelope->agent_id()] = identity;
  }
  if (envelope->packet_type() == "disconnect") {
    // A router reports the socket it lost. If the page has said alive on another router since
    // (a reload or reconnect the load balancer sent elsewhere), the agent is not gone.
    auto holder = agent_routers_.find(envelope->agent_id());
    if (holder != agent_routers_.end() && holder->second != identity) {
      probe_.EnvelopeRejected("moved_agent_disconnect");
      spdlog::info("ignoring router {}'s disconnect of agent {}: it is on router {} now",
                   envelope->router_id(), envelope->agent_id().substr(0, 64), holder->second);
      return;
    }
  }
  envelope->mutable_timestamps()->set_server_incoming(clock_.NowSeconds());
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.push_back(Job{std::move(identity), std::move(*envelope)});
    probe_.SetQueueDepth(static_cast<double>(jobs_.size()));
  }
  jobs_ready_.notify_one();
}

void OperatorApp::Route(const Job& job) {
  if (!job.identity.empty()) {
    Send(job.identity, job.envelope);  // a reply: back to the router that asked
    return;
  }
  // A push to an agent: to the router that last reported its socket.
  auto it = agent_routers_.find(job.envelope.agent_id());
  if (it == agent_routers_.end() || routers_.find(it->second) == routers_.end()) {
    probe_.EnvelopeRejected("agent_not_connected");
    return;
  }
  Send(it->second, job.envelope);
}

void OperatorApp::Send(const std::string& identity, const v1::Envelope& envelope) {
  try {
    // No result: the router's queue is full (it stopped reading); the message is dropped.
    if (!socket_.send(zmq::buffer(identity),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait) ||
        !socket_.send(EncodeEnvelope(envelope), zmq::send_flags::dontwait)) {
      probe_.ZmqSendFailed("would_block");
      spdlog::debug("router {} is not reading; message dropped", identity);
      return;
    }
    probe_.ZmqMessageSent();
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) {
      // A router that went away; its agents reconnect through another and are resent to.
      probe_.ZmqSendFailed("unroutable");
      spdlog::debug("router {} is gone; message dropped", identity);
      return;
    }
    probe_.ZmqSendFailed("error");
    spdlog::warn("cannot send to router {}: {}", identity, e.what());
  }
}

void OperatorApp::SendBeats() {
  auto now = clock_.NowMillis();
  for (auto it = routers_.begin(); it != routers_.end();) {
    if (now - it->second > kRouterSilenceMs) {
      spdlog::info("router {} went silent; forgetting it", it->first);
      it = routers_.erase(it);
    } else {
      ++it;
    }
  }
  probe_.SetRouters(static_cast<double>(routers_.size()));
  if (routers_.empty()) return;
  v1::OperatorBeat beat;
  beat.set_operator_id(config_.instance_id);
  beat.set_incarnation(incarnation_);
  beat.set_sent_ms(now);
  // Routers check every agent id a browser sends with it before anything reaches us.
  beat.set_agent_credential_key(agent_ids_->credentials().key());
  {
    std::lock_guard lock(runs_mutex_);
    for (const auto& run : live_runs_) {
      auto* info = beat.add_runs();
      info->set_task_run_id(std::to_string(run.task_run_id));
      info->set_task_name(run.task_name);
      info->set_static_dir(run.static_dir);
      info->set_task_config_json(run.task_config_json);
      info->set_created_ms(run.created_ms);
    }
  }
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_OPERATOR_BEAT);
  envelope.set_payload(beat.SerializeAsString());
  for (const auto& [identity, last_seen] : routers_) Send(identity, envelope);
}

DbObserver OperatorApp::ProbeObserver() {
  return {
      [this](const char* method, double seconds, bool ok) { probe_.DbCall(method, seconds, ok); },
      [this](const char*, const IllegalTransition& refusal) {
        probe_.TransitionRefused(refusal.entity);
      },
      {}};  // reconnections count for database workers only (WorkerLoop)
}

void OperatorApp::WorkerLoop(int index) {
  auto observer = ProbeObserver();
  observer.reconnected = [this] { probe_.DbReconnected(); };
  PgTaskStore store(config_.pg_dsn, observer);
  PacketHandler handler(store, *agent_ids_, probe_, clock_, &run_activity_, &submission_quality_);
  // The live side shares the worker's one connection.
  LiveCoordinator live(store.Session(), *agent_ids_, clock_);
  auto idle = [&] {
    probe_.SetDbWorkerState(index, store.Session().Connected()
                                       ? OperatorProbe::DbWorkerState::kIdle
                                       : OperatorProbe::DbWorkerState::kDisconnected);
  };
  try {
    store.Connection();  // connected before the first packet, so the pool's health is known
  } catch (const std::exception& e) {
    spdlog::warn("database worker {} cannot connect yet (retried with its next packet): {}", index,
                 e.what());
  }
  idle();
  spdlog::debug("database worker {} started", index);
  while (true) {
    Job job;
    {
      std::unique_lock lock(jobs_mutex_);
      jobs_ready_.wait(lock, [this] { return workers_stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
      probe_.SetQueueDepth(static_cast<double>(jobs_.size()));
    }
    probe_.SetDbWorkerState(index, OperatorProbe::DbWorkerState::kBusy);
    HandleJob(job, handler, live);
    idle();
  }
}

void OperatorApp::HandleJob(Job& job, PacketHandler& handler, LiveCoordinator& live) {
  probe_.PacketDequeued(
      job.envelope.packet_type(),
      std::max(0.0, clock_.NowSeconds() - job.envelope.timestamps().server_incoming()));
  if (LiveCoordinator::Handles(job.envelope)) {
    for (auto& push : HandleLive(live, job.envelope)) replies_.Push(Job{{}, std::move(push)});
    return;
  }
  auto reply = handler.Handle(job.envelope);
  if (!reply) return;
  std::vector<v1::Envelope> pushes;
  if (reply->packet_type() == "agent_details" && MayBeLive(reply->task_run_id())) {
    pushes = AfterRegistration(live, *reply);
  }
  replies_.Push(Job{std::move(job.identity), std::move(*reply)});
  for (auto& push : pushes) replies_.Push(Job{{}, std::move(push)});
}

std::vector<v1::Envelope> OperatorApp::HandleLive(LiveCoordinator& live,
                                                  const v1::Envelope& packet) {
  const auto& type = packet.packet_type();
  probe_.PacketReceived(type);
  auto start = std::chrono::steady_clock::now();
  std::string outcome = "ok";
  std::vector<v1::Envelope> pushes;
  try {
    pushes = live.Handle(packet);
  } catch (const std::exception& e) {
    // Websocket traffic has nobody waiting for an answer; the page resends on reconnect.
    outcome = "internal_error";
    spdlog::error("{} of agent {} failed: {}", type, packet.agent_id().substr(0, 64), e.what());
  }
  probe_.PacketProcessed(
      type, outcome,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return pushes;
}

bool OperatorApp::MayBeLive(const std::string& task_run_id) {
  // Static runs, by far the most registrations, skip the live side's database round trip. A run
  // too new to be in the cached list is checked by the live side itself.
  std::lock_guard lock(runs_mutex_);
  for (const auto& run : live_runs_) {
    if (std::to_string(run.task_run_id) == task_run_id) return run.task_type == "paired_chat";
  }
  return true;
}

std::vector<v1::Envelope> OperatorApp::AfterRegistration(LiveCoordinator& live,
                                                         v1::Envelope& agent_details) {
  try {
    // A live agent's init data gets the chat's history here (Mephisto's init data step).
    auto start = std::chrono::steady_clock::now();
    auto pushes = live.AfterRegistration(agent_details);
    probe_.RegistrationPhase(
        "init_data",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return pushes;
  } catch (const std::exception& e) {
    // The agent is registered; its page learns its status when its socket says alive.
    spdlog::error("waiting room entry of agent {} failed: {}", agent_details.agent_id(), e.what());
    return {};
  }
}

void OperatorApp::MaintenanceLoop() {
  PgTaskStore store(config_.pg_dsn, ProbeObserver());
  int failures = 0;
  std::int64_t rounds = 0;
  std::int64_t drain_deadline = 0;
  while (stop_requests_ < 2 && !drained_) {
    if (!lease_->StillHeld()) {
      // Another operator may hold the lease by now: serving on would mean two of us.
      spdlog::critical("lost the operator lease (its PostgreSQL connection broke); stopping now");
      lease_lost_ = true;
      metrics_->State().Set(ServiceState::State::kError);
      RequestStop(2);
      break;
    }
    try {
      if (stop_requests_ == 1) {
        Drain(store, drain_deadline);
      } else {
        Maintain(store, rounds++);
      }
      if (failures > 0) spdlog::info("database reachable again");
      failures = 0;
      db_ok_ = true;
    } catch (const std::exception& e) {
      db_ok_ = false;
      if (failures++ % 30 == 0) spdlog::error("maintenance failed: {}", e.what());
    }
    metrics_->State().Set(db_ok_ ? ServiceState::State::kRunning : ServiceState::State::kError);
    std::unique_lock lock(maintenance_mutex_);
    maintenance_wake_.wait_for(lock, config_.maintenance_interval,
                               [this] { return stop_requests_ >= 2; });
  }
}

void OperatorApp::Maintain(PgTaskStore& store, std::int64_t round) {
  MeasureQueueLag();
  ExpireOverdueAndCompleteRuns(store);
  auto runs = store.LiveRuns();
  for (const auto& run : runs) {
    Step([&] { ShutDownIfSilent(store, run); });
    Step([&] { ApplyConcurrencyCap(store, run); });
  }
  {
    std::lock_guard lock(runs_mutex_);
    live_runs_ = std::move(runs);
  }
  if (round % kCensusEveryRounds == 0) probe_.SetRunCensus(TakeRunCensus(store.Connection()));
}

void OperatorApp::ApplyConcurrencyCap(PgTaskStore& store, const LiveRun& run) {
  if (auto withdrawn = store.WithdrawExcessUnits(run.task_run_id); withdrawn > 0) {
    probe_.UnitsWithdrawn(withdrawn);
    spdlog::info("task run {}: {} launched units withdrawn to fit max_num_concurrent_units",
                 run.task_run_id, withdrawn);
  }
  if (auto launched = store.LaunchUnits(run.task_run_id); launched > 0) {
    probe_.UnitsLaunched(run.task_run_id, "standard", launched);
    spdlog::info("task run {}: launched {} units", run.task_run_id, launched);
  }
}

void OperatorApp::ShutDownIfSilent(PgTaskStore& store, const LiveRun& run) {
  auto now = clock_.NowMillis();
  if (run.no_submission_patience_ms <= 0 ||
      run_activity_.IdleMillis(run.task_run_id, now) < run.no_submission_patience_ms) {
    return;
  }
  auto expired = store.ShutDownRun(run.task_run_id);
  run_activity_.SubmissionReceived(run.task_run_id, now);  // patience starts again
  if (expired == 0) return;
  probe_.RunShutDown("no_submission_patience");
  spdlog::warn(
      "task run {}: no submission for {} s (no_submission_patience); shutting it down: {} units "
      "nobody held expired, agents at work may still submit",
      run.task_run_id, run.no_submission_patience_ms / 1000, expired);
}

void OperatorApp::MeasureQueueLag() {
  double oldest = 0;
  {
    std::lock_guard lock(jobs_mutex_);
    if (!jobs_.empty()) oldest = jobs_.front().envelope.timestamps().server_incoming();
  }
  probe_.SetQueueLag(oldest > 0 ? std::max(0.0, clock_.NowSeconds() - oldest) : 0.0);
}

void OperatorApp::ExpireOverdueAndCompleteRuns(PgTaskStore& store) {
  Step([&] {
    for (const auto& [reason, agents] : store.TimeOutAgents()) {
      if (agents == 0) continue;
      probe_.AgentsTimedOut(reason, agents);
      spdlog::info("{} agents timed out ({}); their units are offered again or expire", agents,
                   reason);
    }
  });
  for (auto run_id : store.CompleteFinishedRuns()) {
    run_activity_.Forget(run_id);
    submission_quality_.Forget(run_id);
    spdlog::info("task run {} completed: every unit is done", run_id);
  }
}

void OperatorApp::Drain(PgTaskStore& store, std::int64_t& deadline) {
  if (deadline == 0) {
    deadline = clock_.NowMillis() + config_.drain_timeout.count();
    spdlog::info("draining: no new units are handed out; waiting up to {} s for assigned ones",
                 config_.drain_timeout.count() / 1000);
  }
  // Overdue agents still time out; their units come back as launched and are unlaunched.
  ExpireOverdueAndCompleteRuns(store);
  Step([&] {
    if (auto unlaunched = store.Timed("unlaunch_units", UnlaunchUnits); unlaunched > 0) {
      spdlog::info("{} launched units put back to created; a restarted operator launches them",
                   unlaunched);
    }
  });
  auto assigned = store.Timed("assigned_units", AssignedUnits);
  if (assigned == 0) {
    spdlog::info("drained: no unit is assigned any more");
    drained_ = true;
  } else if (clock_.NowMillis() >= deadline) {
    spdlog::warn(
        "drain_timeout reached with {} units still assigned; they stay assigned and a restarted "
        "operator serves them",
        assigned);
    drained_ = true;
  }
}

}  // namespace throng::operator_

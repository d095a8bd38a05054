#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "live_coordinator.hpp"
#include "operator_config.hpp"
#include "operator_lease.hpp"
#include "operator_probe.hpp"
#include "packet_handler.hpp"
#include "pg_task_store.hpp"
#include "run_activity.hpp"
#include "submission_quality_classifier.hpp"
#include "task_store.hpp"
#include "throng/common/admin_server.hpp"
#include "throng/common/clock.hpp"
#include "throng/common/mailbox.hpp"
#include "throng/common/metrics_publisher.hpp"
#include "throng/common/random_token.hpp"
#include "throng/common/service_metrics.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::operator_ {

// The operator process: a ZeroMQ ROUTER loop on the calling thread, a pool of database
// workers (one PostgreSQL connection each) that handle packets, and a maintenance thread
// that launches units, expires overdue agents, completes runs and refreshes the live-run list
// that heartbeats carry to routers. Start order: database + migrations, socket, workers,
// admin port, metrics publisher; Stop() undoes it in reverse.
class OperatorApp {
 public:
  OperatorApp(OperatorConfig config, const Clock& clock);
  ~OperatorApp();

  // Fails with a one-line reason (database unreachable, port taken, migration failed).
  Result<void> Start();
  // Serves until RequestStop(); returns the process exit code.
  int Run();
  // Thread-safe. 1: finish queued packets and exit; 2+: exit now.
  void RequestStop(int count);

  std::uint16_t AdminPort() const { return admin_ ? admin_->Port() : 0; }
  std::string BoundEndpoint() const { return bound_endpoint_; }

 private:
  struct Job {
    std::string identity;
    v1::Envelope envelope;
  };

  // Waits as a standby until this process holds the operator lease (or is told to stop).
  Result<void> AcquireLease();
  // Database calls report to the probe: latency, errors, refused status changes.
  DbObserver ProbeObserver();
  void WorkerLoop(int index);
  void HandleJob(Job& job, PacketHandler& handler, LiveCoordinator& live);
  void MaintenanceLoop();
  void Maintain(PgTaskStore& store, std::int64_t round);
  void Drain(PgTaskStore& store, std::int64_t& deadline);
  // Both maintenance and draining: overdue agents time out, runs with no open unit complete.
  void ExpireOverdueAndCompleteRuns(PgTaskStore& store);
  // Keeps launched + assigned under the run's current cap, whichever way it was changed.
  void ApplyConcurrencyCap(PgTaskStore& store, const LiveRun& run);
  // Mephisto's no_submission_patience: a run silent for that long is presumed broken.
  void ShutDownIfSilent(PgTaskStore& store, const LiveRun& run);
  // The age of the oldest packet waiting for a database worker.
  void MeasureQueueLag();
  void OnRouterMessage(std::string identity, const zmq::message_t& frame);
  void SendBeats();
  void Send(const std::string& identity, const v1::Envelope& envelope);
  void Route(const Job& job);
  std::vector<v1::Envelope> HandleLive(LiveCoordinator& live, const v1::Envelope& packet);
  // False when the run is known not to be a live blueprint.
  bool MayBeLive(const std::string& task_run_id);
  std::vector<v1::Envelope> AfterRegistration(LiveCoordinator& live, v1::Envelope& agent_details);

  OperatorConfig config_;
  const Clock& clock_;
  std::shared_ptr<ServiceMetrics> metrics_;
  OperatorProbe probe_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string bound_endpoint_;

  std::mutex jobs_mutex_;
  std::condition_variable jobs_ready_;
  std::deque<Job> jobs_;
  RunActivity run_activity_;
  SubmissionQualityClassifier submission_quality_;
  std::unique_ptr<AgentIds> agent_ids_;  // from the database, before any packet is served
  bool workers_stopping_ = false;
  std::vector<std::thread> workers_;
  Mailbox<Job> replies_;

  std::mutex runs_mutex_;
  std::vector<LiveRun> live_runs_;
  std::atomic<bool> db_ok_{false};
  std::atomic<bool> drained_{false};  // after one stop request: nothing assigned is left
  std::unique_ptr<OperatorLease> lease_;
  std::atomic<bool> standby_{false};
  std::atomic<bool> lease_lost_{false};
  std::thread maintenance_;
  std::mutex maintenance_mutex_;
  std::condition_variable maintenance_wake_;

  std::map<std::string, std::int64_t> routers_;  // identity -> last seen (ms); loop thread only
  std::map<std::string, std::string> agent_routers_;  // agent id -> router identity; loop thread
  const std::string incarnation_ = RandomHex(8);      // in every heartbeat
  std::atomic<int> stop_requests_{0};
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<MetricsPublisher> publisher_;
  bool started_ = false;
};

}  // namespace throng::operator_

#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "throng/common/agent_credentials.hpp"
#include "throng/common/envelope_codec.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng::testing {

// A stand-in operator for router tests: a real ZeroMQ ROUTER socket in the test process that
// announces one live run (id "1") and its agent credential key every 200 ms, records every
// packet routers send, answers the packet types the test scripts, and sends whatever the test
// asks it to.
class ScriptedOperator {
 public:
  static constexpr const char* kCredentialKey = "scripted-operator-credential-key";

  // The agent id routers accept for `subject`, as the real operator issues them.
  static std::string AgentId(const std::string& subject) {
    static const AgentCredentials credentials{std::string(kCredentialKey)};
    return credentials.Issue(subject);
  }

  using Answer = std::function<v1::Envelope(const v1::Envelope& request)>;

  // Binds `endpoint`: by default a free loopback port; an earlier operator's endpoint to stand
  // in for it after a restart.
  explicit ScriptedOperator(std::string static_dir,
                            const std::string& endpoint = "tcp://127.0.0.1:*")
      : socket_(context_, zmq::socket_type::router), static_dir_(std::move(static_dir)) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(endpoint);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Loop(); });
  }
  ~ScriptedOperator() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }

  // A reply to `request` as the operator makes them: same request, agent and run ids.
  static v1::Envelope ReplyTo(const v1::Envelope& request, const std::string& packet_type,
                              const std::string& payload) {
    v1::Envelope reply;
    reply.set_kind(v1::ENVELOPE_KIND_PACKET);
    reply.set_packet_type(packet_type);
    reply.set_request_id(request.request_id());
    reply.set_agent_id(request.agent_id());
    reply.set_task_run_id(request.task_run_id());
    reply.set_payload(payload);
    *reply.mutable_timestamps() = request.timestamps();
    return reply;
  }
  static v1::Envelope ErrorTo(const v1::Envelope& request, v1::ErrorCode code,
                              const std::string& message) {
    v1::ErrorReply error;
    error.set_code(code);
    error.set_message(message);
    auto reply = ReplyTo(request, request.packet_type(), error.SerializeAsString());
    reply.set_kind(v1::ENVELOPE_KIND_ERROR_REPLY);
    return reply;
  }

  // From now on, every packet of this type is answered at once with `answer(packet)`.
  void AnswerWith(const std::string& packet_type, Answer answer) {
    std::lock_guard lock(mutex_);
    answers_[packet_type] = std::move(answer);
  }
  // Stands for a new operator process from the next heartbeat on (routers then say alive again
  // for every socket they hold).
  void Restart(const std::string& incarnation) {
    std::lock_guard lock(mutex_);
    incarnation_ = incarnation;
  }
  // Announces one more live run (same static files) from the next heartbeat on.
  void AddRun(const std::string& task_run_id) {
    std::lock_guard lock(mutex_);
    extra_runs_.push_back(task_run_id);
  }
  // Stops (or resumes) the heartbeat, so routers soon count the operator as unreachable.
  void PauseBeats(bool paused) { beats_paused_ = paused; }

  std::vector<v1::Envelope> Received(const std::string& packet_type) {
    std::lock_guard lock(mutex_);
    std::vector<v1::Envelope> out;
    for (const auto& e : received_) {
      if (e.packet_type() == packet_type) out.push_back(e);
    }
    return out;
  }
  void Send(v1::Envelope envelope) {
    std::lock_guard lock(mutex_);
    outbox_.push_back(std::move(envelope));
  }
  void SendToAgent(const std::string& type, const std::string& agent_id, const std::string& data) {
    v1::Envelope envelope;
    envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
    envelope.set_packet_type(type);
    envelope.set_agent_id(agent_id);
    envelope.set_payload(data);
    Send(std::move(envelope));
  }

 private:
  void Loop() {
    auto next_beat = std::chrono::steady_clock::now();
    while (!stop_) {
      zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(10));
      if (items[0].revents & ZMQ_POLLIN) {
        zmq::message_t identity, frame;
        (void)socket_.recv(identity);
        (void)socket_.recv(frame);
        identity_ = identity.to_string();
        auto envelope = DecodeEnvelope(frame);
        if (envelope && envelope->kind() == v1::ENVELOPE_KIND_PACKET) {
          std::lock_guard lock(mutex_);
          received_.push_back(*envelope);
          if (auto answer = answers_.find(envelope->packet_type()); answer != answers_.end()) {
            outbox_.push_back(answer->second(*envelope));
          }
        }
      }
      if (identity_.empty()) continue;
      if (!beats_paused_ && std::chrono::steady_clock::now() >= next_beat) {
        v1::OperatorBeat beat;
        beat.set_agent_credential_key(kCredentialKey);
        std::vector<std::string> runs{"1"};
        {
          std::lock_guard lock(mutex_);
          runs.insert(runs.end(), extra_runs_.begin(), extra_runs_.end());
          beat.set_incarnation(incarnation_);
        }
        for (const auto& id : runs) {
          auto* run = beat.add_runs();
          run->set_task_run_id(id);
          run->set_static_dir(static_dir_);
          run->set_task_config_json(R"({"mephisto_task_version":"2.0.4"})");
        }
        v1::Envelope envelope;
        envelope.set_kind(v1::ENVELOPE_KIND_OPERATOR_BEAT);
        envelope.set_payload(beat.SerializeAsString());
        Write(envelope);
        next_beat = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      }
      std::vector<v1::Envelope> pending;
      {
        std::lock_guard lock(mutex_);
        pending.swap(outbox_);
      }
      for (const auto& envelope : pending) Write(envelope);
    }
  }
  void Write(const v1::Envelope& envelope) {
    socket_.send(zmq::buffer(identity_), zmq::send_flags::sndmore);
    socket_.send(EncodeEnvelope(envelope), zmq::send_flags::none);
  }

  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string static_dir_;
  std::string endpoint_;
  std::string identity_;
  std::mutex mutex_;
  std::vector<v1::Envelope> received_;
  std::vector<v1::Envelope> outbox_;
  std::map<std::string, Answer> answers_;
  std::vector<std::string> extra_runs_;
  std::string incarnation_ = "first";
  std::atomic<bool> beats_paused_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace throng::testing

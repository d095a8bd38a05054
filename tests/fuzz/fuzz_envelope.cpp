// libFuzzer target: what the operator receives from a router: an envelope frame (protobuf)
// and, inside it, the Mephisto packet's JSON, through the packet handler against a store that
// accepts everything (no database). The first byte picks the mode: 0 decodes the rest as a
// whole envelope frame; otherwise it picks a packet type and the rest is its JSON payload,
// which mutates far better than JSON wrapped in protobuf.
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "packet_handler.hpp"
#include "throng/common/envelope_codec.hpp"

namespace {

using namespace throng;
using namespace throng::operator_;

// Answers like a database where every agent exists and every unit is assigned, so the
// handler gets past its lookups into reply building and the quality metrics.
class AcceptingStore final : public TaskStore {
 public:
  RegistrationResult RegisterAgent(const RegistrationRequest&) override { return Assigned(); }
  SubmitResult SubmitUnit(std::int64_t, const std::string&) override {
    SubmitResult result{SubmitOutcome::kCompleted, 7, 42.0};
    result.unit_type = ++calls_ % 2 ? "standard" : "gold";
    if (result.unit_type == "gold") result.answers_passed = true;
    return result;
  }
  void LogClientError(std::optional<std::int64_t>, const std::string&,
                      const std::string&) override {}
  bool StoreLiveUpdate(std::int64_t, const std::string&, const std::string&) override {
    return true;
  }
  bool StoreMetadata(std::int64_t, const std::string&) override { return true; }
  bool DisconnectAgent(std::int64_t) override { return true; }
  OnboardingSubmission SubmitOnboarding(std::int64_t, const std::string&) override {
    return {"passed", Assigned(), 7};
  }
  bool DisconnectOnboardingAgent(std::int64_t) override { return true; }

 private:
  static RegistrationResult Assigned() {
    return {"assigned", 3, 11, 5, R"({"html":"task.html"})", {{"filter_units", 0.001}}};
  }
  int calls_ = 0;
};

struct Harness {
  Harness() : probe(registry), handler(store, ids, probe, DefaultClock(), nullptr, &quality) {}
  operator_::AgentIds ids{AgentCredentials(fuzz::kAgentCredentialKey)};
  prometheus::Registry registry;
  AcceptingStore store;
  OperatorProbe probe;
  SubmissionQualityClassifier quality;
  PacketHandler handler;
};

constexpr std::array<const char*, 8> kPacketTypes = {
    "register_agent",  "submit_unit",       "log_error",  "mephisto_bound_live_update",
    "submit_metadata", "submit_onboarding", "disconnect", "no_such_packet"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  fuzz::FuzzInput input(data, size);
  auto mode = input.Byte();
  v1::Envelope request;
  if (mode == 0) {
    auto frame = input.Rest();
    auto decoded = DecodeEnvelope(frame.data(), frame.size());
    if (!decoded) return 0;
    request = std::move(*decoded);
  } else {
    request.set_kind(v1::ENVELOPE_KIND_PACKET);
    request.set_packet_type(kPacketTypes[mode % kPacketTypes.size()]);
    request.set_request_id("req-1");
    // Mostly issued ids (the code behind the check), sometimes a forged one.
    request.set_agent_id(mode & 0x40   ? "11"
                         : mode & 0x80 ? harness.ids.Onboarding(11)
                                       : harness.ids.Task(11));
    request.set_task_run_id("7");
    request.set_deadline_ms(DefaultClock().NowMillis() + 60'000);
    request.set_payload(input.Rest());
  }
  auto reply = harness.handler.Handle(request);
  if (reply) (void)EncodeEnvelope(*reply);  // the reply must still fit on the wire
  return 0;
}

#include "throng/common/envelope_codec.hpp"

#include <gtest/gtest.h>

namespace throng {
namespace {

v1::Envelope SampleEnvelope() {
  v1::Envelope envelope;
  envelope.set_kind(v1::ENVELOPE_KIND_PACKET);
  envelope.set_router_id("router-1");
  envelope.set_connection_id("conn-7");
  envelope.set_agent_id("42");
  envelope.set_request_id("6f1c1b9e-0d2c-4c55-9a3e-1f0b9a1f5e11");
  envelope.set_packet_type("register_agent");
  envelope.set_task_run_id("3");
  envelope.set_payload(R"({"provider_data":{"worker_name":"w"},"client_timestamp":1.5})");
  envelope.set_deadline_ms(1'700'000'000'000);
  envelope.mutable_timestamps()->set_client(1.5);
  envelope.mutable_timestamps()->set_router_incoming(2.25);
  envelope.mutable_timestamps()->set_router_outgoing(2.5);
  return envelope;
}

TEST(EnvelopeCodec, RoundTripKeepsEveryFieldAndThePayloadBytes) {
  auto original = SampleEnvelope();
  auto message = EncodeEnvelope(original);
  auto decoded = DecodeEnvelope(message);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->router_id(), "router-1");
  EXPECT_EQ(decoded->connection_id(), "conn-7");
  EXPECT_EQ(decoded->agent_id(), "42");
  EXPECT_EQ(decoded->request_id(), original.request_id());
  EXPECT_EQ(decoded->packet_type(), "register_agent");
  EXPECT_EQ(decoded->task_run_id(), "3");
  EXPECT_EQ(decoded->payload(), original.payload());
  EXPECT_EQ(decoded->deadline_ms(), original.deadline_ms());
  EXPECT_DOUBLE_EQ(decoded->timestamps().client(), 1.5);
  EXPECT_DOUBLE_EQ(decoded->timestamps().router_incoming(), 2.25);
  EXPECT_DOUBLE_EQ(decoded->timestamps().router_outgoing(), 2.5);
}

TEST(EnvelopeCodec, RejectsGarbage) {
  const std::string garbage = "\xff\xff\xff\xff not a protobuf";
  EXPECT_FALSE(DecodeEnvelope(garbage.data(), garbage.size()));
}

TEST(EnvelopeCodec, RejectsAnEnvelopeWithoutKind) {
  v1::Envelope envelope;
  envelope.set_packet_type("register_agent");
  auto message = EncodeEnvelope(envelope);
  auto decoded = DecodeEnvelope(message);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().message.find("kind"), std::string::npos);
}

TEST(EnvelopeCodec, RejectsOversizedFrames) {
  std::string big(kMaxEnvelopeBytes + 1, 'x');
  EXPECT_FALSE(DecodeEnvelope(big.data(), big.size()));
}

TEST(EnvelopeCodec, ReplyKeepsRoutingIdsAndTimestamps) {
  auto request = SampleEnvelope();
  auto reply = MakeReply(request, "agent_details");
  EXPECT_EQ(reply.kind(), v1::ENVELOPE_KIND_PACKET);
  EXPECT_EQ(reply.packet_type(), "agent_details");
  EXPECT_EQ(reply.request_id(), request.request_id());
  EXPECT_EQ(reply.router_id(), "router-1");
  EXPECT_EQ(reply.task_run_id(), "3");
  EXPECT_DOUBLE_EQ(reply.timestamps().router_incoming(), 2.25);
  EXPECT_TRUE(reply.payload().empty());
}

}  // namespace
}  // namespace throng

#include "throng/common/envelope_codec.hpp"

namespace throng {

zmq::message_t EncodeEnvelope(const v1::Envelope& envelope) {
  zmq::message_t message(envelope.ByteSizeLong());
  envelope.SerializeToArray(message.data(), static_cast<int>(message.size()));
  return message;
}

Result<v1::Envelope> DecodeEnvelope(const void* data, std::size_t size) {
  if (size > kMaxEnvelopeBytes) {
    return Fail("envelope of " + std::to_string(size) + " bytes exceeds the limit");
  }
  v1::Envelope envelope;
  if (!envelope.ParseFromArray(data, static_cast<int>(size))) {
    return Fail("envelope is not a valid protobuf message");
  }
  if (envelope.kind() == v1::ENVELOPE_KIND_UNSPECIFIED ||
      !v1::EnvelopeKind_IsValid(envelope.kind())) {
    return Fail("envelope has no known kind");
  }
  return envelope;
}

v1::Envelope MakeReply(const v1::Envelope& request, std::string packet_type) {
  v1::Envelope reply;
  reply.set_kind(v1::ENVELOPE_KIND_PACKET);
  reply.set_router_id(request.router_id());
  reply.set_connection_id(request.connection_id());
  reply.set_agent_id(request.agent_id());
  reply.set_request_id(request.request_id());
  reply.set_task_run_id(request.task_run_id());
  reply.set_packet_type(std::move(packet_type));
  *reply.mutable_timestamps() = request.timestamps();
  return reply;
}

}  // namespace throng

#pragma once

#include <string>
#include <string_view>
#include <zmq.hpp>

#include "throng/common/error.hpp"
#include "throng/v1/envelope.pb.h"

namespace throng {

// Largest envelope either side accepts; bigger frames are dropped and counted.
inline constexpr std::size_t kMaxEnvelopeBytes = 16 * 1024 * 1024;
// Envelopes each side of the link queues per peer (ZeroMQ's send and receive high-water
// marks) before a send fails. ZeroMQ's default, 1,000, was overrun by a burst from a thousand
// pages (each live update also brings back a delivery acknowledgement), and the router then
// dropped packets as if the operator were away. At a few hundred bytes an envelope this is
// tens of megabytes at most.
inline constexpr int kEnvelopeQueueLimit = 100000;

zmq::message_t EncodeEnvelope(const v1::Envelope& envelope);
// Fails on oversized or undecodable frames and on an unspecified kind.
Result<v1::Envelope> DecodeEnvelope(const void* data, std::size_t size);
inline Result<v1::Envelope> DecodeEnvelope(const zmq::message_t& message) {
  return DecodeEnvelope(message.data(), message.size());
}

// The reply to a request envelope: same routing ids, timestamps carried over.
v1::Envelope MakeReply(const v1::Envelope& request, std::string packet_type);

}  // namespace throng

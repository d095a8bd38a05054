// libFuzzer target: arbitrary WebSocket text frames from one browser connection, through the
// router's packet handling (JSON, UTF-8, packet types, ids, rate limit).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "live_hub.hpp"
#include "operator_link.hpp"
#include "router_fuzz_harness.hpp"
#include "router_probe.hpp"
#include "ws_session.hpp"

namespace {

using namespace throng;
using namespace throng::router;

using Harness = fuzz::RouterHarness;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  // Fresh per input.
  LiveHub hub(harness.config, harness.gate, harness.link, harness.probe, DefaultClock());
  // An unconnected socket: the session never opens, so replies are dropped, but every
  // frame still goes through the hub's parsing and bookkeeping.
  auto session = std::make_shared<WsSession>(
      boost::beast::tcp_stream(boost::asio::ip::tcp::socket(harness.io)), hub, 1024 * 1024, 1);
  auto frame = fuzz::FuzzInput::WithAgentId(std::string(reinterpret_cast<const char*>(data), size),
                                            harness.agent);
  hub.OnFrame(session, frame);
  hub.OnFrame(session, frame);  // the same frame twice: rebinding, queues
  hub.OnClosed(session.get());
  hub.Sweep();
  harness.link.DiscardQueued();
  return 0;
}

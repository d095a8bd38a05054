// libFuzzer target: raw bytes from a browser's WebSocket after the upgrade (masked frames,
// fragments, control and close frames, bad opcodes and lengths, invalid UTF-8) through Beast's
// server side with the router's settings (ConfigureBrowserWebsocket), over an in-memory stream.
// Each complete message goes to LiveHub as WsSession::Read hands it over.
//
// Input: one byte for how many bytes each read of the socket returns (0: all that is there),
// so frames also arrive split at every point, then the bytes the browser sends. Long inputs are
// cut into at most kMaxReads reads, which keeps each run short.
//
// The hub answers a session that never opened (as in fuzz_ws_packet): its replies and closes
// go nowhere, so reading goes on after the hub refuses a packet where the router would stop.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_input.hpp"
#include "live_hub.hpp"
#include "operator_link.hpp"
#include "router_fuzz_harness.hpp"
#include "router_probe.hpp"
#include "utf8.hpp"
#include "ws_session.hpp"

namespace {

using namespace throng;
using namespace throng::router;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr std::size_t kMaxReads = 256;

using Harness = fuzz::RouterHarness;

// The upgrade request as the HTTP server hands it to WsSession::Start.
HttpRequest UpgradeRequest() {
  namespace http = beast::http;
  HttpRequest request{http::verb::get, "/", 11};
  request.set(http::field::host, "localhost:3000");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::connection, "Upgrade");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  request.set(http::field::sec_websocket_version, "13");
  return request;
}

// Reads messages until the stream fails and hands them to the hub, as WsSession::Read does.
class Reader {
 public:
  Reader(websocket::stream<beast::test::stream>& ws, LiveHub& hub,
         std::shared_ptr<WsSession> session, std::size_t frame_limit, const std::string& agent)
      : ws_(ws),
        hub_(hub),
        session_(std::move(session)),
        frame_limit_(frame_limit),
        agent_(agent) {}

  void Read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::message_too_big) hub_.OnOversized(session_);
        return;
      }
      if (!ws_.got_text()) {
        buffer_.consume(buffer_.size());
        hub_.OnBinary(session_);
      } else {
        auto text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        // The hub relies on Beast for these: a text message within the limit, valid UTF-8.
        if (text.size() > frame_limit_ || !IsValidUtf8(text)) __builtin_trap();
        hub_.OnFrame(session_, fuzz::FuzzInput::WithAgentId(std::move(text), agent_));
      }
      Read();
    });
  }

 private:
  websocket::stream<beast::test::stream>& ws_;
  LiveHub& hub_;
  std::shared_ptr<WsSession> session_;
  std::size_t frame_limit_;
  const std::string& agent_;
  beast::flat_buffer buffer_;
};

// Runs every handler that is ready; pending timers (Beast's idle timeout) are left unfired.
// An io_context that ran out of work stops, hence the restart.
void RunUntilIdle(boost::asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  fuzz::FuzzInput input(data, size);
  std::size_t read_size = input.Byte();
  const std::string wire = input.Rest();
  if (read_size != 0) read_size = std::max(read_size, wire.size() / kMaxReads + 1);

  auto& io = harness.io;
  {
    // Fresh per input.
    LiveHub hub(harness.config, harness.gate, harness.link, harness.probe, DefaultClock());
    auto session = std::make_shared<WsSession>(beast::tcp_stream(boost::asio::ip::tcp::socket(io)),
                                               hub, harness.config.ws_frame_limit, 1,
                                               &harness.probe, harness.config.ws_send_queue_limit);

    websocket::stream<beast::test::stream> ws(io);
    beast::test::stream browser(io);
    ws.next_layer().connect(browser);
    ConfigureBrowserWebsocket(ws, harness.config.ws_frame_limit);

    bool accepted = false;
    ws.async_accept(UpgradeRequest(), [&](beast::error_code ec) { accepted = !ec; });
    RunUntilIdle(io);
    if (!accepted) __builtin_trap();  // a valid upgrade must be accepted
    hub.OnOpened(session);

    if (read_size != 0) ws.next_layer().read_size(read_size);
    ws.next_layer().append(wire);
    // The browser has sent everything: reads see the end of the stream after its bytes, while
    // Beast's answers (pongs, the close frame) still reach the browser's side.
    ws.next_layer().close_remote();
    Reader reader(ws, hub, session, harness.config.ws_frame_limit, harness.agent);
    reader.Read();
    RunUntilIdle(io);

    ws.next_layer().close();
    RunUntilIdle(io);
    hub.OnClosed(session.get());
    hub.Sweep();
  }
  // Handlers the streams left behind (their cancelled timers) run now, not in the next input.
  RunUntilIdle(io);
  harness.link.DiscardQueued();
  return 0;
}

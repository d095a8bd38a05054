// libFuzzer target: raw bytes as an HTTP request to the router's worker API (Beast's parser
// with the router's limits, then every endpoint's validation). The operator is unreachable
// and no run is live, so nothing leaves the process.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>

#include "fuzz_input.hpp"
#include "live_hub.hpp"
#include "operator_link.hpp"
#include "router_fuzz_harness.hpp"
#include "router_probe.hpp"
#include "worker_api.hpp"

namespace {

using namespace throng;
using namespace throng::router;

class DiscardResponder final : public HttpResponder {
 public:
  void Send(HttpResponse response) override {
    if (response.result_int() >= 500 && response.result_int() != 503) __builtin_trap();
  }
  const std::string& RemoteAddress() const override { return address_; }

 private:
  std::string address_ = "fuzzer";
};

struct Harness : fuzz::RouterHarness {
  Harness()
      : hub(config, gate, link, probe, DefaultClock()),
        api(io, config, gate, link, hub, probe, DefaultClock()) {
    config.upload_dir = "/nonexistent/throng-fuzz";  // uploads fail cleanly, nothing written
  }
  LiveHub hub;
  WorkerApi api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  auto request = parser.release();
  request.body() = fuzz::FuzzInput::WithAgentId(std::move(request.body()), harness.agent);
  request.prepare_payload();
  harness.api.Handle(std::move(request), std::make_shared<DiscardResponder>());
  harness.io.poll();
  harness.link.DiscardQueued();
  return 0;
}

#pragma once

// What every router fuzzer keeps across inputs: the io_context, the settings, an agent gate
// holding the operator's key (and an agent id it issued), the metrics, and an operator link to
// nowhere whose queue each input discards.
#include <prometheus/registry.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "agent_gate.hpp"
#include "fuzz_input.hpp"
#include "operator_link.hpp"
#include "router_config.hpp"
#include "router_probe.hpp"

namespace throng::fuzz {

struct RouterHarness {
  RouterHarness()
      : probe(registry),
        link("tcp://127.0.0.1:1", "fuzz", std::chrono::milliseconds(1000), DefaultClock(), probe,
             {}) {
    gate.SetKey(kAgentCredentialKey);
  }
  boost::asio::io_context io;  // first, so that it outlives the rest
  router::RouterConfig config;
  router::AgentGate gate;
  std::string agent = AgentCredentials(kAgentCredentialKey).Issue("11");
  prometheus::Registry registry;
  router::RouterProbe probe;
  router::OperatorLink link;
};

}  // namespace throng::fuzz

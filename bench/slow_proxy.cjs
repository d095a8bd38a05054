// A TCP proxy that holds every chunk for a fixed delay in each direction: Redis behind it
// answers each command at least 2 x <delay ms> late. Node 20, no npm packages.
//
//   node slow_proxy.cjs <listen port> <target port> <delay ms>
//
// Listens and connects on 127.0.0.1 only; runs until killed.
"use strict";
const net = require("net");

const [listenPort, targetPort, delayArg] = process.argv.slice(2).map(Number);
if (!listenPort || !targetPort || !(delayArg >= 0)) {
  console.error("usage: node slow_proxy.cjs <listen port> <target port> <delay ms>");
  process.exit(2);
}

// Chunks keep their order: each is written delay ms after it arrived.
function delayed(from, to) {
  from.on("data", (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayArg));
  from.on("end", () => setTimeout(() => to.end(), delayArg));
  from.on("error", () => to.destroy());
}

net
  .createServer((client) => {
    const server = net.connect(targetPort, "127.0.0.1");
    delayed(client, server);
    delayed(server, client);
  })
  .listen(listenPort, "127.0.0.1");

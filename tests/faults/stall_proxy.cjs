// A loopback TCP proxy the fault suite controls, placed between the routers and the operator's
// ZeroMQ port: `POST /pause` stops moving bytes in both directions (connections stay open, as
// in a network stall), `POST /resume` moves them again.
//
//   node stall_proxy.cjs <listen port> <target port> <control port>
"use strict";
const net = require("net");
const http = require("http");

const [listenPort, targetPort, controlPort] = process.argv.slice(2).map(Number);
let paused = false;
const sockets = new Set();

function track(socket) {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
  socket.on("error", () => {});
  if (paused) socket.pause();
}

net.createServer((client) => {
  const upstream = net.connect(targetPort, "127.0.0.1");
  track(client);
  track(upstream);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
}).listen(listenPort, "127.0.0.1");

http.createServer((request, response) => {
  if (request.method === "POST" && (request.url === "/pause" || request.url === "/resume")) {
    paused = request.url === "/pause";
    for (const socket of sockets) paused ? socket.pause() : socket.resume();
    response.end(`${paused ? "paused" : "resumed"} ${sockets.size} sockets\n`);
  } else {
    response.statusCode = 404;
    response.end();
  }
}).listen(controlPort, "127.0.0.1");

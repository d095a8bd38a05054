// Misbehaving WebSocket clients for the fault suite (Node 20, no npm packages):
//
//   node clients.cjs never-read <host:port> <count> <seconds>
//     <count> sockets upgrade to WebSocket, send a ping and never read a byte (not even the
//     pong); after <seconds> they close. A socket that sent nothing wrong must not be closed.
//   node clients.cjs big-frames <host:port> <count>
//     one client at a time sends a 10 MB text frame <count> times; each must be refused
//     (a close frame or the connection closed), never accepted.
//   node clients.cjs reconnect-storm <host:port> <count> <rounds>
//     <count> sockets upgrade, all are dropped at once and all reconnect at once, <rounds>
//     times; every reconnection must be upgraded (HTTP 101).
// Prints one JSON line of figures; exits 1 when an expectation failed.
"use strict";
const net = require("net");
const crypto = require("crypto");
const { frame } = require("../e2e/workers/ws_client.cjs");

const [mode, address, countText, extraText] = process.argv.slice(2);
const [host, port] = address.split(":");
const count = Number(countText);
const extra = Number(extraText || 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Opens a socket and upgrades it; resolves the socket once the 101 arrived (rejects otherwise).
function upgrade(timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    let seen = "";
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("upgrade timeout")); }, timeoutMs);
    socket.on("error", (error) => { clearTimeout(timer); reject(error); });
    socket.on("connect", () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${address}\r\nUpgrade: websocket\r\n` +
                   `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\n` +
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    });
    const onData = (chunk) => {
      seen += chunk.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      clearTimeout(timer);
      socket.off("data", onData);
      if (/^HTTP\/1\.1 101/.test(seen)) resolve(socket);
      else { socket.destroy(); reject(new Error(seen.split("\r\n")[0])); }
    };
    socket.on("data", onData);
  });
}


async function neverRead() {
  const sockets = await Promise.all(Array.from({ length: count }, () => upgrade()));
  for (const socket of sockets) {
    socket.pause();  // never read again: whatever the router writes piles up
    socket.write(frame(9, Buffer.from("are you there")));  // a ping: the router must write a pong
  }
  await sleep(extra * 1000);
  const closedByServer = sockets.filter((s) => s.destroyed || s.readableEnded).length;
  for (const socket of sockets) socket.destroy();
  return { ok: true, figures: { clients: count, closed_by_server: closedByServer } };
}

async function bigFrames() {
  const payload = Buffer.alloc(10 * 1024 * 1024, "a");
  let refused = 0;
  for (let i = 0; i < count; i += 1) {
    const socket = await upgrade();
    const closed = new Promise((resolve) => {
      let data = Buffer.alloc(0);
      socket.on("data", (chunk) => { data = Buffer.concat([data, chunk]); });
      socket.on("close", () => resolve(data));
      socket.on("error", () => {});
    });
    socket.write(frame(1, payload));
    const data = await Promise.race([closed, sleep(30000).then(() => null)]);
    socket.destroy();
    // Refused: the router closed (a close frame, 0x88, if any bytes came at all).
    if (data !== null && (data.length === 0 || data.includes(0x88))) refused += 1;
  }
  return { ok: refused === count, figures: { frames: count, bytes_each: payload.length, refused } };
}

async function reconnectStorm() {
  let upgraded = 0;
  let failed = 0;
  const errors = [];
  let sockets = [];
  for (let round = 0; round <= extra; round += 1) {
    const results = await Promise.allSettled(Array.from({ length: count }, () => upgrade()));
    sockets = [];
    for (const result of results) {
      if (result.status === "fulfilled") { upgraded += 1; sockets.push(result.value); }
      else { failed += 1; if (errors.length < 5) errors.push(String(result.reason.message)); }
    }
    for (const socket of sockets) socket.write(frame(9, Buffer.from("ping")));
    await sleep(500);
    for (const socket of sockets) socket.destroy();  // all drop at once
  }
  return { ok: failed === 0, figures: { clients: count, rounds: extra, upgraded, failed, errors } };
}

const modes = { "never-read": neverRead, "big-frames": bigFrames, "reconnect-storm": reconnectStorm };
if (!modes[mode]) {
  console.error("usage: node clients.cjs never-read|big-frames|reconnect-storm <host:port> <count> [n]");
  process.exit(2);
}
modes[mode]().then((result) => {
  console.log(JSON.stringify(result.figures));
  process.exit(result.ok ? 0 : 1);
}, (error) => {
  console.error(error.stack);
  process.exit(1);
});

// A minimal WebSocket client (RFC 6455) for scripted workers: masked text frames out, text
// frames in, pings answered. No npm package, so any Node.js the tests install will do.
"use strict";
const net = require("net");
const crypto = require("crypto");

// A masked client frame with the given opcode and payload.
function frame(opcode, payload) {
  const mask = crypto.randomBytes(4);
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

// Opens a socket to `url` (a URL: host and port) and upgrades it. Resolves {send, isOpen,
// close} once upgraded; onText(text) gets each text message, onClose() is called once when it
// is gone.
function openSocket(url, onText, onClose, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let upgraded = false;
    let closed = false;
    let pending = Buffer.alloc(0);
    let fragments = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("upgrade timeout")); }, timeoutMs);
    const gone = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      if (upgraded) onClose();
      else reject(new Error("closed before the upgrade"));
    };
    socket.on("error", () => gone());
    socket.on("close", () => gone());
    socket.on("connect", () => {
      socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
                   `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\n` +
                   "Sec-WebSocket-Version: 13\r\n\r\n");
    });
    const api = {
      send(object) {
        if (closed || socket.destroyed) return false;
        socket.write(frame(1, Buffer.from(JSON.stringify(object))));
        return true;
      },
      isOpen() {
        return !closed && !socket.destroyed;
      },
      close() {
        if (closed) return;
        closed = true;  // ours: no onClose
        try { socket.end(frame(8, Buffer.from([0x03, 0xe8]))); } catch { /* already gone */ }
        setTimeout(() => socket.destroy(), 200);
      },
    };
    const frames = () => {
      for (;;) {
        if (pending.length < 2) return;
        const opcode = pending[0] & 0x0f;
        const fin = (pending[0] & 0x80) !== 0;
        let length = pending[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (pending.length < 4) return;
          length = pending.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (pending.length < 10) return;
          length = Number(pending.readBigUInt64BE(2));
          offset = 10;
        }
        if (pending.length < offset + length) return;
        const payload = pending.subarray(offset, offset + length);
        pending = pending.subarray(offset + length);
        if (opcode === 8) {
          socket.destroy();
          return;
        } else if (opcode === 9) {
          if (!closed) socket.write(frame(10, Buffer.from(payload)));
        } else if (opcode === 1 || opcode === 0) {
          fragments.push(Buffer.from(payload));
          if (fin) {
            const text = Buffer.concat(fragments).toString("utf8");
            fragments = [];
            if (!closed) onText(text);
          }
        }
      }
    };
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = pending.subarray(0, end).toString("latin1");
        pending = pending.subarray(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          socket.destroy();
          return;  // the close rejects
        }
        upgraded = true;
        clearTimeout(timer);
        resolve(api);
      }
      frames();
    });
  });
}

module.exports = { frame, openSocket };

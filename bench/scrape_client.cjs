// Scrapes one URL many times, some requests at once, the way Prometheus does (keep-alive,
// Accept-Encoding: gzip), and prints the latency percentiles as JSON. Node 20, no npm packages.
//
//   node scrape_client.cjs <url> <requests> <concurrency>
//
// Latency = from sending the request to the last byte of the body. Any answer other than 200
// with a body counts as an error (and the exit status is 1).
"use strict";
const http = require("http");

const [url, requestsArg, concurrencyArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const concurrency = Number(concurrencyArg);
if (!url || !(requests > 0) || !(concurrency > 0)) {
  console.error("usage: node scrape_client.cjs <url> <requests> <concurrency>");
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function scrape() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const request = http.get(url, { agent, headers: { "Accept-Encoding": "gzip" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk) => (bytes += chunk.length));
      response.on("end", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ ms, bytes, ok: response.statusCode === 200 && bytes > 0 });
      });
    });
    request.on("error", () => resolve({ ms: 0, bytes: 0, ok: false }));
  });
}

async function main() {
  const latencies = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  async function worker() {
    while (next < requests) {
      next++;
      const result = await scrape();
      if (!result.ok) {
        errors++;
        continue;
      }
      latencies.push(result.ms);
      bytes = result.bytes;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  // Nearest-rank percentile.
  const at = (p) => latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  const round = (ms) => Math.round(ms * 100) / 100;
  console.log(JSON.stringify({
    requests, concurrency, errors, body_bytes: bytes,
    p50_ms: round(at(50)), p90_ms: round(at(90)), p99_ms: round(at(99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
    scrapes_per_second: Math.round(latencies.length / seconds),
  }));
  agent.destroy();
  process.exit(errors > 0 ? 1 : 0);
}
main();

// What the scripted worker programs share: their command line and the HTTP POST they retry.
"use strict";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (low, high) => low + Math.random() * (high - low);

// `node <script> <router base URL> <result file> [key=value ...]`: the base, the file and the
// options, each key one of `defaults` (numbers stay numbers). Exits 2 on a usage error.
function parseCommandLine(script, defaults) {
  const [base, outFile, ...rest] = process.argv.slice(2);
  if (!base || !outFile) {
    console.error(`usage: node ${script} <router base URL> <result file> [key=value ...]`);
    process.exit(2);
  }
  const options = { ...defaults };
  for (const pair of rest) {
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    if (eq < 0 || !(key in options)) {
      console.error(`unknown option ${pair}`);
      process.exit(2);
    }
    options[key] = typeof options[key] === "number" ? Number(pair.slice(eq + 1)) : pair.slice(eq + 1);
  }
  return { base, outFile, options };
}

// One POST of a JSON text to `${base}/${path}` (with ?task_run_id= if given); resolves
// {status, body, text} or {status: 0, kind: "timeout"|"network", text} and never throws.
async function postJson(base, path, body, { taskRunId = "", timeoutMs = 20000 } = {}) {
  try {
    const query = taskRunId ? `?task_run_id=${taskRunId}` : "";
    const response = await fetch(`${base}/${path}${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed, text };
  } catch (error) {
    const kind = error && (error.name === "TimeoutError" || error.name === "AbortError")
      ? "timeout" : "network";
    return { status: 0, kind, text: String(error && error.message) };
  }
}

module.exports = { sleep, between, parseCommandLine, postJson };

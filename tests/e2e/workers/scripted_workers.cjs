// Scripted crowd workers for a static task, speaking the router's HTTP protocol as the
// mephisto-task page does (POST /request_agent, then POST /submit_task), many at once.
// Node 20: global fetch, no npm packages.
//
//   node scripted_workers.cjs <router base URL> <result file> [key=value ...]
//
// Each worker loops: request_agent with provider_data {worker_name, provider_type: "mock",
// agent_registration_id, assignment_id}; with an agent, think for a random moment and
// submit_task with final_data naming the agent and the unit's data; repeat until the router
// has said "no available work" (or, once the run is over, that no run is live: HTTP 404) for
// idle_stop_ms in a row.
//
// They are correct clients of a server that may go away: an HTTP error (5xx), a network error
// or a timeout is retried with the SAME request, so a retried registration carries the same
// agent_registration_id (and must reconnect to the same agent) and a retried submission the
// same final_data. Every submission acknowledged with 200 {"status":"Submitted!"} is recorded.
//
// Options (key=value): workers=200 think_min_ms=150 think_max_ms=700 idle_stop_ms=10000
// deadline_ms=300000 client_timeout_ms=20000 retry_min_ms=150 retry_max_ms=500
// worker_prefix=crash-worker task_run_id= (empty: the router's newest run)
//
// The result file (JSON): {stats, registrations: [{worker, registration_id, agent_id,
// attempts, first_attempt_ms, last_attempt_ms}], submissions: [{worker, registration_id,
// agent_id, final_data, attempts}], errors: [text], no_run_ms: [epoch ms of each registration
// answered 404 "no task run is live"]}. Exit status 0 when every worker stopped
// by itself with no unexpected answer, 1 otherwise (the file is written either way).
"use strict";
const { sleep, between, postJson, parseCommandLine } = require("./worker_common.cjs");
const fs = require("fs");

const { base, outFile, options } = parseCommandLine("scripted_workers.cjs", {
  workers: 200,
  think_min_ms: 150,
  think_max_ms: 700,
  idle_stop_ms: 10000,
  deadline_ms: 300000,
  client_timeout_ms: 20000,
  retry_min_ms: 150,
  retry_max_ms: 500,
  worker_prefix: "crash-worker",
  task_run_id: "",
});

const started = Date.now();
const deadline = started + options.deadline_ms;

const stats = {
  workers: options.workers,
  registration_attempts: 0,
  registrations: 0,          // registrations answered with an agent
  no_work_answers: 0,        // registrations answered "no available work" (or no live run)
  no_run_answers: 0,         // registrations answered 404 "no task run is live"
  first_no_run_ms: 0,        // when the first of those was asked (epoch ms)
  registration_retries: 0,   // attempts that repeated an unanswered registration
  retried_registrations: 0,  // registrations that needed more than one attempt
  submit_attempts: 0,
  submissions_acknowledged: 0,
  submit_retries: 0,
  retried_submissions: 0,
  http_errors: {},           // status (or "network"/"timeout") -> count, over all attempts
  workers_stopped_idle: 0,
  workers_past_deadline: 0,
  elapsed_ms: 0,
};
const registrations = [];
const submissions = [];
const errors = [];
const noRunMs = [];  // when each registration answered 404 "no task run is live" was sent

function countError(kind) {
  stats.http_errors[kind] = (stats.http_errors[kind] || 0) + 1;
}

// One POST; resolves {status, body, text} or {status: 0, kind} for a network error or timeout.
const post = (path, body) => postJson(base, path, body,
  { taskRunId: options.task_run_id, timeoutMs: options.client_timeout_ms });

// Whether an answer means "the server could not do it now; send the same request again".
function retryable(answer) {
  return answer.status === 0 || answer.status >= 500;
}

// POSTs the same body until it is answered by the task server (not a 5xx, network error or
// timeout). Returns {answer, attempts, firstMs, lastMs} or null past the deadline.
async function untilAnswered(path, body, onAttempt) {
  let attempts = 0;
  let firstMs = 0;
  for (;;) {
    if (Date.now() > deadline) return null;
    attempts += 1;
    const lastMs = Date.now();
    if (!firstMs) firstMs = lastMs;
    onAttempt(attempts);
    const answer = await post(path, body);
    if (!retryable(answer)) return { answer, attempts, firstMs, lastMs };
    countError(answer.status === 0 ? answer.kind : String(answer.status));
    await sleep(between(options.retry_min_ms, options.retry_max_ms));
  }
}

async function worker(index) {
  const name = `${options.worker_prefix}-${index}`;
  let page = 0;
  let idleSince = null;
  let idlePolls = 0;
  for (;;) {
    page += 1;
    // A page of this worker: its registration id is its reconnect key.
    const assignment = `p${page}`;
    const registrationId = `${assignment}-${name}`;
    const registerBody = JSON.stringify({
      provider_data: { worker_name: name, provider_type: "mock",
                       agent_registration_id: registrationId, assignment_id: assignment },
      client_timestamp: Date.now() / 1000,
    });
    let details = null;
    for (;;) {
      const result = await untilAnswered("request_agent", registerBody, (attempt) => {
        stats.registration_attempts += 1;
        if (attempt > 1) stats.registration_retries += 1;
      });
      if (!result) {
        stats.workers_past_deadline += 1;
        return;
      }
      const { answer } = result;
      const noRun = answer.status === 404 && answer.body && /no task run is live/.test(answer.body.error);
      if (noRun) {
        // The run is over (or the router knows of none): no work here, as below.
        stats.no_run_answers += 1;
        if (!stats.first_no_run_ms) stats.first_no_run_ms = result.lastMs;
        noRunMs.push(result.lastMs);
      } else if (answer.status !== 200 || !answer.body ||
                 answer.body.packet_type !== "agent_details" || !answer.body.data) {
        errors.push(`${name} ${registrationId}: request_agent answered ${answer.status}: ${answer.text}`);
        return;
      }
      const data = noRun ? { agent_id: null, failure_reason: "no available work (no live run)" }
                         : answer.body.data;
      if (data.agent_id !== null && data.agent_id !== undefined) {
        if (result.attempts > 1) stats.retried_registrations += 1;
        stats.registrations += 1;
        registrations.push({ worker: name, registration_id: registrationId,
                             agent_id: String(data.agent_id), attempts: result.attempts,
                             first_attempt_ms: result.firstMs, last_attempt_ms: result.lastMs });
        details = data;
        idleSince = null;
        idlePolls = 0;
        break;
      }
      if (!/no available work/i.test(String(data.failure_reason))) {
        errors.push(`${name} ${registrationId}: refused: ${data.failure_reason}`);
        return;
      }
      // No work now: the page asks again later with the same registration id, and the
      // worker leaves once there has been none for idle_stop_ms.
      stats.no_work_answers += 1;
      if (idleSince === null) idleSince = Date.now();
      if (Date.now() - idleSince >= options.idle_stop_ms) {
        stats.workers_stopped_idle += 1;
        return;
      }
      idlePolls += 1;
      await sleep(between(0.5, 1) * Math.min(2000, 200 * 2 ** idlePolls));
    }

    await sleep(between(options.think_min_ms, options.think_max_ms));
    const finalData = {
      agent_id: String(details.agent_id),
      worker: name,
      unit: details.init_task_data,
      sentiment: ["positive", "neutral", "negative"][Math.floor(Math.random() * 3)],
      nonce: Math.random().toString(36).slice(2),
    };
    const submitBody = JSON.stringify({ USED_AGENT_ID: String(details.agent_id),
                                        final_data: finalData,
                                        client_timestamp: Date.now() / 1000 });
    const result = await untilAnswered("submit_task", submitBody, (attempt) => {
      stats.submit_attempts += 1;
      if (attempt > 1) stats.submit_retries += 1;
    });
    if (!result) {
      stats.workers_past_deadline += 1;
      errors.push(`${name}: submission of agent ${details.agent_id} never acknowledged before the deadline`);
      return;
    }
    const { answer } = result;
    if (answer.status !== 200 || !answer.body || answer.body.status !== "Submitted!") {
      errors.push(`${name}: submit_task of agent ${details.agent_id} answered ${answer.status}: ${answer.text}`);
      return;
    }
    if (result.attempts > 1) stats.retried_submissions += 1;
    stats.submissions_acknowledged += 1;
    submissions.push({ worker: name, registration_id: registrationId,
                       agent_id: String(details.agent_id), final_data: finalData,
                       attempts: result.attempts });
  }
}

function write() {
  stats.elapsed_ms = Date.now() - started;
  fs.writeFileSync(outFile, JSON.stringify({ stats, registrations, submissions, errors,
                                          no_run_ms: noRunMs }));
}

process.on("SIGTERM", () => {
  errors.push("stopped by SIGTERM before the workers finished");
  write();
  process.exit(1);
});

(async () => {
  // Progress for whoever watches (one line a second on stderr would be noise; every 5 s).
  const ticker = setInterval(() => {
    console.error(`[workers] ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
                  `${stats.submissions_acknowledged} acknowledged, ${stats.registrations} agents, ` +
                  `${stats.registration_retries + stats.submit_retries} retries`);
  }, 5000);
  const all = [];
  for (let i = 1; i <= options.workers; i += 1) {
    all.push(worker(i).catch((error) => errors.push(`worker ${i} crashed: ${error.stack}`)));
    await sleep(5);  // pages do not all open in the same millisecond
  }
  await Promise.all(all);
  clearInterval(ticker);
  write();
  const ok = errors.length === 0 && stats.workers_past_deadline === 0;
  process.exit(ok ? 0 : 1);
})();

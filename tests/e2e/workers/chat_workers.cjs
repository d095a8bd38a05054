// Scripted crowd workers for a paired_chat task, speaking the router's protocol as a
// mephisto-task live page does: POST /request_agent, the WebSocket (alive, heartbeats,
// update_status, mephisto_bound_live_update out, client_bound_live_update in), POST
// /submit_task. Many at once, in pairs formed by the operator's waiting room.
// Node 20, no npm packages (a minimal RFC 6455 client on net).
//
//   node chat_workers.cjs <router base URL> <result file> [key=value ...]
//
// Each worker opens pages one after the other: register, open the socket and say `alive`,
// wait in the waiting room until 'in task', send `messages` chat messages (each with its own
// update_id), wait for the partner's `messages`, submit, close the page. It stops once the
// router has said "no available work" (or that no run is live: HTTP 404, as for a run launched
// a moment ago) for idle_stop_ms in a row, or that the run it worked on is over (404) for
// over_after_ms in a row.
//
// They are correct clients of a server that may go away, as the page and a patient worker
// are: an HTTP request answered 5xx, or lost, is sent again unchanged (a registration keeps
// its agent_registration_id); a socket that closes is opened again and says `alive` again,
// and every message not yet known to be stored is sent again with its update_id (the server
// keeps one per update_id). Nothing acknowledges a live update, so a worker learns what the
// server stored as a reloaded page does, from POST /request_agent with the same registration
// id: its reply's init_task_data.past_live_updates is the agent's history (own messages and
// partner's). A worker that has made no progress for stuck_ms says `alive` again on its
// socket (an operator that restarted learns where the agent is and resends what it missed),
// reads its history and sends again what is not in it. It submits once its own messages are
// all in its history and it has every message of its partner (pushed, or in the history;
// repeats are dropped by update_id, as pages do). Agent ids are opaque strings.
//
// reload_every=N: the first page of every N-th worker really reloads halfway through its
// messages (its socket closes; it registers again with the same registration id and opens a
// new socket, maybe to another router). 0 (the default) never does.
//
// Options (key=value): workers=8 messages=4 think_min_ms=200 think_max_ms=900
// heartbeat_ms=2000 stuck_ms=4000 idle_stop_ms=10000 deadline_ms=300000
// client_timeout_ms=20000 retry_min_ms=150 retry_max_ms=500 worker_prefix=chat task_run_id=
// reload_every=0 over_after_ms=3000
//
// The result file (JSON): {stats, chats: [{worker, registration_id, agent_id, statuses,
// sent: [{update_id, text}], received: [{update_id, times}], submitted}], submissions:
// [{worker, agent_id, final_data, attempts}], errors: [text]}; `times` counts pushes of one
// message. Exit status 0 when every worker stopped by itself with no unexpected answer (a
// chat that ended without both partners is one), 1 otherwise (the file is written either way).
"use strict";
const { sleep, between, postJson, parseCommandLine } = require("./worker_common.cjs");
const fs = require("fs");
const crypto = require("crypto");
const { openSocket } = require("./ws_client.cjs");

const { base, outFile, options } = parseCommandLine("chat_workers.cjs", {
  workers: 8,
  messages: 4,
  think_min_ms: 200,
  think_max_ms: 900,
  heartbeat_ms: 2000,
  stuck_ms: 4000,
  idle_stop_ms: 10000,
  deadline_ms: 300000,
  client_timeout_ms: 20000,
  retry_min_ms: 150,
  retry_max_ms: 500,
  worker_prefix: "chat",
  task_run_id: "",
  reload_every: 0,
  over_after_ms: 3000,
});

const started = Date.now();
const deadline = started + options.deadline_ms;
const url = new URL(base);

const stats = {
  workers: options.workers,
  registrations: 0,
  registration_retries: 0,
  history_reads: 0,          // request_agent again for the agent's history
  reloads: 0,                // pages reloaded mid-chat (reload_every)
  sockets_opened: 0,
  sockets_lost: 0,           // closed by the other side (a router killed, a proxy)
  socket_open_failures: 0,
  alive_sent: 0,
  messages_sent: 0,          // distinct messages
  messages_resent: 0,        // the same update_id sent again
  messages_received: 0,      // distinct partner messages
  received_twice: 0,         // a partner message pushed again (dropped by update_id)
  from_history: 0,           // partner messages first seen in the history
  submissions_acknowledged: 0,
  submit_retries: 0,
  http_errors: {},
  workers_stopped_idle: 0,
  workers_past_deadline: 0,
  elapsed_ms: 0,
};
const pages = [];
const submissions = [];
const errors = [];

function countError(kind) {
  stats.http_errors[kind] = (stats.http_errors[kind] || 0) + 1;
}

// One POST; resolves {status, body, text} or {status: 0, kind} for a network error or timeout.
const post = (path, body) => postJson(base, path, body,
  { taskRunId: options.task_run_id, timeoutMs: options.client_timeout_ms });

// POSTs the same body until the task server answers it (not a 5xx, network error or
// timeout). Returns {answer, attempts} or null past the deadline.
async function untilAnswered(path, body) {
  for (let attempts = 1; ; attempts += 1) {
    if (Date.now() > deadline) return null;
    const answer = await post(path, body);
    if (answer.status !== 0 && answer.status < 500) return { answer, attempts };
    countError(answer.status === 0 ? answer.kind : String(answer.status));
    await sleep(between(options.retry_min_ms, options.retry_max_ms));
  }
}

// --- One page of one worker: one agent from registration to submission. ---

class Page {
  constructor(name, registrationId, registerBody, details, reload) {
    this.name = name;
    this.reload = reload;
    this.registrationId = registrationId;
    this.registerBody = registerBody;
    this.agentId = String(details.agent_id);
    this.topic = details.init_task_data && details.init_task_data.topic;
    this.status = null;
    this.statuses = [];
    this.sent = new Map();      // update_id -> {text, stored}
    this.received = new Map();  // update_id -> times seen
    this.socket = null;
    this.connecting = false;
    this.closed = false;
    this.progressMs = Date.now();
    this.record = { worker: name, registration_id: registrationId, agent_id: this.agentId,
                    statuses: this.statuses, sent: [], received: [], submitted: false };
    pages.push(this);
    this.readHistory(details);
  }

  setStatus(status) {
    // A router that does not know the agent yet says "none" (or "") until the operator answers.
    if (typeof status !== "string" || status === "" || status === "none") return;
    if (status === this.status) return;
    this.status = status;
    this.statuses.push(status);
    this.progressMs = Date.now();
  }

  // A message pushed or in the history: the agent's own (so it is stored) or its partner's (a
  // repeat is dropped by update_id).
  receive(update, fromHistory) {
    if (!update || typeof update.update_id !== "string") return;
    if (update.agent_id === this.agentId) {
      const mine = this.sent.get(update.update_id);
      if (mine && !mine.stored) {
        mine.stored = true;
        this.progressMs = Date.now();
      } else if (!mine) {
        errors.push(`${this.name} agent ${this.agentId}: its history has a message it never ` +
                    `sent: ${JSON.stringify(update)}`);
      }
      return;
    }
    const times = this.received.get(update.update_id) || 0;
    if (times > 0) {
      // Every history repeats what came before; only a push that came again counts.
      if (!fromHistory) {
        this.received.set(update.update_id, times + 1);
        stats.received_twice += 1;
      }
      return;
    }
    this.received.set(update.update_id, 1);
    stats.messages_received += 1;
    if (fromHistory) stats.from_history += 1;
    this.progressMs = Date.now();
  }

  readHistory(details) {
    const past = details.init_task_data && details.init_task_data.past_live_updates;
    if (Array.isArray(past)) for (const update of past) this.receive(update, true);
  }

  // What a reloaded page learns: POST /request_agent again with the same registration id.
  // The page's socket stays open (the history is all this worker wants from it).
  async historyCheck() {
    const result = await untilAnswered("request_agent", this.registerBody);
    if (!result) return false;
    stats.history_reads += 1;
    const { answer } = result;
    const data = answer.body && answer.body.data;
    if (answer.status !== 200 || !data || String(data.agent_id) !== this.agentId) {
      // Not a reconnection to this agent: the server dropped it (status 'partner disconnect'
      // or gone); the status pushes say which.
      this.historyRefused = `request_agent answered ${answer.status}: ${answer.text}`;
      return false;
    }
    this.historyRefused = null;
    this.readHistory(data);
    return true;
  }

  sendAlive() {
    if (this.socket && this.socket.send({ packet_type: "alive", subject_id: this.agentId, data: {},
                                           client_timestamp: Date.now() / 1000 })) {
      stats.alive_sent += 1;
    }
  }

  sendMessage(updateId) {
    const message = this.sent.get(updateId);
    return this.socket !== null && this.socket.send({
      packet_type: "mephisto_bound_live_update",
      subject_id: this.agentId,
      data: { text: message.text, agent_id: this.agentId, update_id: updateId },
      client_timestamp: Date.now() / 1000,
    });
  }

  onText(text) {
    let packet;
    try {
      packet = JSON.parse(text);
    } catch {
      errors.push(`${this.name}: a frame that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (packet.subject_id !== undefined && String(packet.subject_id) !== this.agentId) {
      errors.push(`${this.name} agent ${this.agentId}: a packet for another agent: ${text.slice(0, 200)}`);
      return;
    }
    const data = packet.data || {};
    if (packet.packet_type === "update_status") this.setStatus(data.status);
    else if (packet.packet_type === "client_bound_live_update") this.receive(data, false);
    else if (packet.packet_type === "heartbeat" && data.status) this.setStatus(data.status);
  }

  // (Re)opens the socket until it is open, says alive, resends every message not known to be
  // stored (mephisto-task's queue sends what it could not; the rest may have been lost with
  // the socket).
  async connect() {
    if (this.connecting || this.closed || (this.socket && this.socket.isOpen())) return;
    this.connecting = true;
    try {
      while (!this.closed && Date.now() < deadline) {
        try {
          let opened = null;
          opened = await openSocket(url, (text) => this.onText(text), () => {
            if (this.socket === opened) this.socket = null;
            if (this.closed) return;
            stats.sockets_lost += 1;
            setTimeout(() => this.connect(), between(options.retry_min_ms, options.retry_max_ms));
          });
          this.socket = opened;
          stats.sockets_opened += 1;
          break;
        } catch {
          stats.socket_open_failures += 1;
          await sleep(between(options.retry_min_ms, options.retry_max_ms));
        }
      }
      if (!this.socket) return;
      this.sendAlive();
      for (const [updateId, message] of this.sent) {
        if (message.stored) continue;
        if (this.sendMessage(updateId)) stats.messages_resent += 1;
      }
    } finally {
      this.connecting = false;
    }
  }

  // The chat is over for this agent (Mephisto's final statuses but 'completed').
  ended() {
    return ["disconnect", "partner disconnect", "timeout", "expired", "returned"].includes(this.status);
  }

  // A reload: the socket closes, the page registers again with the same registration id (and
  // gets its history), opens a new socket (through the balancer: maybe to another router).
  async reloadPage() {
    stats.reloads += 1;
    if (this.socket) this.socket.close();
    this.socket = null;
    await this.historyCheck();
    await this.connect();
  }

  stuck() {
    return Date.now() - this.progressMs > options.stuck_ms;
  }

  // Every turn of the page's loops: a socket that is gone without its close being seen (or
  // closed while it was being set up) is opened again.
  watch() {
    if (!this.connecting && (!this.socket || !this.socket.isOpen())) {
      this.socket = null;
      this.connect();
    }
  }

  // Says alive again on the open socket and reads the history; then waits stuck_ms again.
  async unstick() {
    this.progressMs = Date.now();
    this.sendAlive();
    await this.historyCheck();
  }

  async run() {
    const heartbeat = setInterval(() => {
      if (this.socket) this.socket.send({ packet_type: "heartbeat", subject_id: this.agentId, data: {} });
    }, options.heartbeat_ms);
    try {
      await this.connect();
      // The waiting room, until the pair is complete.
      while (this.status !== "in task") {
        if (this.ended() || Date.now() > deadline) return this.fail("never in task");
        this.watch();
        if (this.stuck()) await this.unstick();
        await sleep(100);
      }
      for (let i = 1; i <= options.messages && !this.ended(); i += 1) {
        await sleep(between(options.think_min_ms, options.think_max_ms));
        this.watch();
        const updateId = crypto.randomUUID();
        this.sent.set(updateId, { text: `${this.name}: message ${i} of ${options.messages} on ${this.topic}`,
                                  stored: false });
        this.record.sent.push({ update_id: updateId, text: this.sent.get(updateId).text });
        stats.messages_sent += 1;
        this.sendMessage(updateId);  // a closed socket sends it when it is open again
        if (this.reload && i === Math.ceil(options.messages / 2)) await this.reloadPage();
      }
      // Until every own message is stored and every partner message is here.
      let checked = false;
      for (;;) {
        const unstored = [...this.sent.values()].filter((m) => !m.stored).length;
        if (unstored === 0 && this.received.size >= options.messages) break;
        if (this.status === "partner disconnect") {
          // Mephisto lets it submit what it has (and offers no history any more).
          this.fail("partner disconnect");
          break;
        }
        if (this.ended() || Date.now() > deadline) return this.fail("chat not finished");
        this.watch();
        if (unstored > 0 && !checked) {
          // Give the last message a moment to be stored, then read the history once.
          await sleep(300);
          checked = true;
          await this.historyCheck();
          continue;
        }
        if (this.stuck()) {
          await this.unstick();
          // Still missing after a read of the history: lost on the way, send again.
          for (const [updateId, message] of this.sent) {
            if (!message.stored && this.sendMessage(updateId)) stats.messages_resent += 1;
          }
        }
        await sleep(100);
      }
      await this.submit();
    } finally {
      clearInterval(heartbeat);
      this.closed = true;
      if (this.socket) this.socket.close();
    }
  }

  fail(what) {
    errors.push(`${this.name} agent ${this.agentId}: ${what} (statuses ${this.statuses.join(" > ") || "none"}` +
                `${this.historyRefused ? `; ${this.historyRefused}` : ""})`);
  }

  async submit() {
    const finalData = {
      agent_id: this.agentId,
      worker: this.name,
      topic: this.topic,
      summary: `${this.name} discussed ${this.topic}`,
      sent: this.record.sent.map((m) => m.update_id),
      received: this.received.size,
      nonce: Math.random().toString(36).slice(2),
    };
    const body = JSON.stringify({ USED_AGENT_ID: this.agentId, final_data: finalData,
                                  client_timestamp: Date.now() / 1000 });
    const result = await untilAnswered("submit_task", body);
    if (!result) return this.fail("submission never acknowledged before the deadline");
    const { answer } = result;
    if (answer.status !== 200 || !answer.body || answer.body.status !== "Submitted!") {
      return this.fail(`submit_task answered ${answer.status}: ${answer.text}`);
    }
    stats.submit_retries += result.attempts - 1;
    stats.submissions_acknowledged += 1;
    this.record.submitted = true;
    submissions.push({ worker: this.name, agent_id: this.agentId, final_data: finalData,
                       attempts: result.attempts });
  }
}

async function worker(index) {
  const name = `${options.worker_prefix}-${index}`;
  let idleSince = null;
  let idlePolls = 0;
  let noRunSince = null;
  for (let page = 1; ; page += 1) {
    const assignment = `c${page}`;
    const registrationId = `${assignment}-${name}`;
    const registerBody = JSON.stringify({
      provider_data: { worker_name: name, provider_type: "mock",
                       agent_registration_id: registrationId, assignment_id: assignment },
      client_timestamp: Date.now() / 1000,
    });
    let details = null;
    while (!details) {
      const result = await untilAnswered("request_agent", registerBody);
      if (!result) {
        stats.workers_past_deadline += 1;
        return;
      }
      stats.registration_retries += result.attempts - 1;
      const { answer } = result;
      const noRun = answer.status === 404 && answer.body && /no task run is live/.test(answer.body.error);
      // The run this worker worked on is over once every router says so for over_after_ms: a
      // router that has just started (or a run launched a moment ago) answers this until the
      // operator's next heartbeat.
      if (!noRun) noRunSince = null;
      else if (noRunSince === null) noRunSince = Date.now();
      if (noRun && page > 1 && Date.now() - noRunSince >= options.over_after_ms) {
        stats.workers_stopped_idle += 1;
        return;
      }
      const data = noRun ? { agent_id: null, failure_reason: "no available work (no live run)" }
                         : answer.body && answer.body.data;
      if (!noRun && (answer.status !== 200 || !data || answer.body.packet_type !== "agent_details")) {
        errors.push(`${name} ${registrationId}: request_agent answered ${answer.status}: ${answer.text}`);
        return;
      }
      if (data.agent_id !== null && data.agent_id !== undefined) {
        stats.registrations += 1;
        details = data;
        idleSince = null;
        idlePolls = 0;
        break;
      }
      if (!/no available work/i.test(String(data.failure_reason))) {
        errors.push(`${name} ${registrationId}: refused: ${data.failure_reason}`);
        return;
      }
      if (idleSince === null) idleSince = Date.now();
      if (Date.now() - idleSince >= options.idle_stop_ms) {
        stats.workers_stopped_idle += 1;
        return;
      }
      idlePolls += 1;
      await sleep(between(0.5, 1) * Math.min(2000, 200 * 2 ** idlePolls));
    }
    const reload = options.reload_every > 0 && index % options.reload_every === 0 && page === 1;
    await new Page(name, registrationId, registerBody, details, reload).run();
    if (Date.now() > deadline) {
      stats.workers_past_deadline += 1;
      return;
    }
  }
}

function write() {
  stats.elapsed_ms = Date.now() - started;
  const chats = pages.map((page) => ({
    ...page.record,
    received: [...page.received].map(([update_id, times]) => ({ update_id, times })),
  }));
  fs.writeFileSync(outFile, JSON.stringify({ stats, chats, submissions, errors }));
}

process.on("SIGTERM", () => {
  errors.push("stopped by SIGTERM before the workers finished");
  write();
  process.exit(1);
});

(async () => {
  const ticker = setInterval(() => {
    console.error(`[chat] ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
                  `${stats.submissions_acknowledged} submitted, ${stats.messages_sent} sent, ` +
                  `${stats.messages_received} received, ${stats.sockets_lost} sockets lost`);
  }, 5000);
  const all = [];
  for (let i = 1; i <= options.workers; i += 1) {
    all.push(worker(i).catch((error) => errors.push(`worker ${i} crashed: ${error.stack}`)));
    await sleep(20);
  }
  await Promise.all(all);
  clearInterval(ticker);
  write();
  const ok = errors.length === 0 && stats.workers_past_deadline === 0;
  process.exit(ok ? 0 : 1);
})();

// Scripted workers for a run with onboarding and validation (screening or gold) units, over
// the router's HTTP protocol as the mephisto-task page speaks it, each with a habit that the
// quality monitors should see. Node 20: global fetch, no npm packages.
//
//   node quality_workers.cjs <router base URL> <result file> key=value ...
//
// Each worker opens pages (a registration id each) until the router has said "no available
// work" for idle_stop_ms in a row, or the worker is refused as not qualified:
// - an onboarding agent (agent_id onboarding_<n>) gets `onboarding_answers`, or a wrong answer
//   from every `fail_onboarding_every`-th worker;
// - a unit whose init_task_data.sentence is in `answer_key` (a screening or gold unit) gets
//   that answer, or a wrong one from every `wrong_validation_every`-th worker;
// - any other unit gets a sentiment, or nothing from every `empty_every`-th worker.
//
// Options: workers=8 worker_prefix=quality task_run_id= onboarding_answers={} answer_key={}
// fail_onboarding_every=0 wrong_validation_every=0 empty_every=0 think_min_ms=100
// think_max_ms=400 idle_stop_ms=4000 deadline_ms=120000 (0: never).
// The result file (JSON): {stats, errors}. Exit status 0 when no answer was unexpected.
"use strict";
const { sleep, between, parseCommandLine } = require("./worker_common.cjs");
const fs = require("fs");

const { base, outFile, options } = parseCommandLine("quality_workers.cjs", {
  workers: 8,
  worker_prefix: "quality",
  task_run_id: "",
  onboarding_answers: "{}",
  answer_key: "{}",
  fail_onboarding_every: 0,
  wrong_validation_every: 0,
  empty_every: 0,
  think_min_ms: 100,
  think_max_ms: 400,
  idle_stop_ms: 4000,
  deadline_ms: 120000,
});
const onboardingAnswers = JSON.parse(options.onboarding_answers);
const answerKey = JSON.parse(options.answer_key);
const deadline = Date.now() + (options.deadline_ms || Infinity);
const every = (n, i) => n > 0 && i % n === 0;

const stats = {
  onboarding_passed: 0, onboarding_failed: 0, validation_units: 0, validation_wrong: 0,
  units: 0, empty: 0, no_work: 0, not_qualified: 0,
};
const errors = [];

async function post(path, body) {
  const query = options.task_run_id ? `?task_run_id=${options.task_run_id}` : "";
  const response = await fetch(`${base}/${path}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

// Wrong on purpose: every answer of the key replaced by one it does not hold.
const wrong = (answers) => Object.fromEntries(Object.keys(answers).map((k) => [k, "surely-wrong"]));

async function worker(index) {
  const name = `${options.worker_prefix}-${index}`;
  let idleSince = null;
  for (let page = 1; Date.now() < deadline; page += 1) {
    const registration = `p${page}-${name}`;
    const answer = await post("request_agent", {
      provider_data: { worker_name: name, provider_type: "mock", agent_registration_id: registration, assignment_id: `p${page}` },
      client_timestamp: Date.now() / 1000,
    });
    let details = answer.data;
    if (details.agent_id === null || details.agent_id === undefined) {
      if (/not (currently )?qualified/i.test(String(details.failure_reason))) {
        stats.not_qualified += 1;
        return;
      }
      if (!/no available work/i.test(String(details.failure_reason))) throw new Error(`${name}: refused: ${details.failure_reason}`);
      stats.no_work += 1;
      if (idleSince === null) idleSince = Date.now();
      if (Date.now() - idleSince >= options.idle_stop_ms) return;
      await sleep(between(300, 700));
      continue;
    }
    idleSince = null;
    await sleep(between(options.think_min_ms, options.think_max_ms));
    if (String(details.agent_id).startsWith("onboarding_")) {
      const fail = every(options.fail_onboarding_every, index);
      const next = await post("submit_onboarding", {
        provider_data: { USED_AGENT_ID: String(details.agent_id), onboarding_data: fail ? wrong(onboardingAnswers) : onboardingAnswers },
        client_timestamp: Date.now() / 1000,
      });
      stats[fail ? "onboarding_failed" : "onboarding_passed"] += 1;
      details = next.data;
      if (details.agent_id === null || details.agent_id === undefined) continue;  // refused or no work: a new page
      await sleep(between(options.think_min_ms, options.think_max_ms));
    }
    const data = details.init_task_data || {};
    let finalData;
    if (typeof data.sentence === "string" && data.sentence in answerKey) {
      const miss = every(options.wrong_validation_every, index);
      finalData = miss ? wrong(answerKey[data.sentence]) : answerKey[data.sentence];
      stats.validation_units += 1;
      if (miss) stats.validation_wrong += 1;
    } else {
      const empty = every(options.empty_every, index);
      finalData = empty ? {} : { sentiment: ["positive", "neutral", "negative"][index % 3], worker: name };
      stats.units += 1;
      if (empty) stats.empty += 1;
    }
    const done = await post("submit_task", {
      USED_AGENT_ID: String(details.agent_id), final_data: finalData, client_timestamp: Date.now() / 1000,
    });
    if (done.status !== "Submitted!") throw new Error(`${name}: submit_task answered ${JSON.stringify(done)}`);
  }
}

(async () => {
  const all = [];
  for (let i = 1; i <= options.workers; i += 1) {
    all.push(worker(i).catch((error) => errors.push(`worker ${i}: ${error.message}`)));
    await sleep(20);
  }
  await Promise.all(all);
  fs.writeFileSync(outFile, JSON.stringify({ stats, errors }));
  console.error(`[quality workers] ${JSON.stringify(stats)}${errors.length ? ` errors: ${errors.join("; ")}` : ""}`);
  process.exit(errors.length ? 1 : 0);
})();

// Launches a run for every argument `throng wut` documents, for every blueprint, architect and
// provider type, with the argument set (and what it needs beside it), and once more with the
// argument's name misspelt. Every documented key must be accepted by `throng launch` (the
// operator's own validation) and every misspelt one refused with an error naming it and the
// right one. An argument without an example below fails the test: wut and this table must
// grow together.
//
//   node cli_config_keys.cjs <throng binary> <work dir>
//
// THRONG_PG_DSN names the scratch database; prints "ok: ..." lines, exits 1 on a failure.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const [throng, work] = process.argv.slice(2);
let launched = 0;
const misspellingsTried = new Set();
let refused = 0;

function fail(message) {
  console.error("FAIL: " + message);
  process.exit(1);
}

function run(args) {
  const result = spawnSync(throng, args, { encoding: "utf8" });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function wut(what) {
  const result = run(["wut", ...(what ? [what] : []), "--json"]);
  if (result.code !== 0) fail(`throng wut ${what} exited ${result.code}: ${result.err}`);
  return JSON.parse(result.out);
}

// Files a config may point at.
fs.writeFileSync(path.join(work, "task.html"), "<p>${sentence}</p>\n");
fs.writeFileSync(path.join(work, "bundle.js"), "// a built page\n");
fs.writeFileSync(path.join(work, "data.csv"), "sentence\nOne.\nTwo.\nThree.\nFour.\n");
fs.writeFileSync(path.join(work, "data.json"), JSON.stringify([{ s: 1 }, { s: 2 }, { s: 3 }, { s: 4 }]));
fs.writeFileSync(path.join(work, "data.jsonl"), [1, 2, 3, 4].map((s) => JSON.stringify({ s })).join("\n"));

const screening = {
  "blueprint.use_screening_task": true,
  "blueprint.block_qualification": "keys-blocked",
  "blueprint.passed_qualification_name": "keys-screened",
  "blueprint.max_screening_units": 2,
  "blueprint.screening_units": [{ data: { s: 0 }, answers: { rating: "good" } }],
  "task.allowed_concurrent": 1,
};
const golds = {
  "blueprint.use_golds": true,
  "blueprint.gold_qualification_base": "keys-gold",
  "blueprint.max_gold_units": 3,
  "blueprint.gold_units": [{ data: { s: 0 }, answers: { rating: "good" } }],
  "task.allowed_concurrent": 1,
};
const onboarding = {
  "blueprint.onboarding_qualification": "keys-onboarded",
  "blueprint.onboarding_answers": { understood: true },
};
const prolific = { "provider.type": "prolific", "provider.prolific_completion_code": "C0FFEE" };

// key -> the settings that show it in use (the key itself among them).
const examples = {
  "blueprint.type": {},
  "blueprint.task_source": {},
  "blueprint.data_csv": { "blueprint.data_csv": "data.csv", "blueprint.data_jsonl": null },
  "blueprint.data_json": { "blueprint.data_json": "data.json", "blueprint.data_jsonl": null },
  "blueprint.data_jsonl": { "blueprint.data_jsonl": "data.jsonl" },
  "blueprint.units_per_assignment": { "blueprint.units_per_assignment": 2 },
  "blueprint.block_qualification": { "blueprint.block_qualification": "keys-blocked" },
  "blueprint.onboarding_qualification": onboarding,
  "blueprint.onboarding_data": { ...onboarding, "blueprint.onboarding_data": { text: "Read." } },
  "blueprint.onboarding_answers": onboarding,
  "blueprint.use_screening_task": screening,
  "blueprint.passed_qualification_name": screening,
  "blueprint.max_screening_units": screening,
  "blueprint.screening_units": screening,
  "blueprint.use_golds": golds,
  "blueprint.gold_qualification_base": golds,
  "blueprint.max_gold_units": golds,
  "blueprint.min_golds": { ...golds, "blueprint.min_golds": 2 },
  "blueprint.max_incorrect_golds": { ...golds, "blueprint.max_incorrect_golds": 1 },
  "blueprint.gold_units": golds,
  "architect.type": {},
  "architect.public_url": { "architect.public_url": "https://tasks.example.org/crowd" },
  "provider.type": {},
  "provider.requester_name": { "provider.requester_name": "keys-requester-" },
  "provider.prolific_completion_code": prolific,
  "provider.prolific_completion_url": {
    ...prolific,
    "provider.prolific_completion_url": "https://example.org/done",
  },
  "task.task_name": { "task.task_name": "keys-named" },
  "task.task_title": { "task.task_title": "A title" },
  "task.task_description": { "task.task_description": "A description" },
  "task.task_reward": { "task.task_reward": 0.25 },
  "task.max_num_concurrent_units": { "task.max_num_concurrent_units": 5 },
  "task.allowed_concurrent": { "task.allowed_concurrent": 2 },
  "task.maximum_units_per_worker": { "task.maximum_units_per_worker": 3 },
  "task.assignment_duration_in_seconds": { "task.assignment_duration_in_seconds": 90 },
  "task.submission_timeout": { "task.submission_timeout": 45 },
  "task.no_submission_patience": { "task.no_submission_patience": 600 },
  "task.qualifications": {
    "task.qualifications": [{ qualification_name: "keys-unreliable", comparator: "does not exist" }],
  },
};

function baseConfig(blueprint, provider) {
  const config = {
    blueprint: {
      type: blueprint,
      task_source: blueprint === "static_task" ? "task.html" : "bundle.js",
      data_jsonl: "data.jsonl",
    },
    provider: { type: provider, requester_name: `keys-${provider}` },
    task: { task_name: `keys-${blueprint}` },
  };
  if (blueprint === "paired_chat") config.blueprint.units_per_assignment = 2;
  if (provider === "prolific") config.provider.prolific_completion_code = "C0FFEE";
  return config;
}

function apply(config, settings, suffix) {
  for (const [dotted, value] of Object.entries(settings)) {
    const [group, name] = dotted.split(".");
    config[group] = config[group] || {};
    if (value === null) delete config[group][name];
    else config[group][name] = dotted === "provider.requester_name" ? value + suffix : value;
  }
  return config;
}

function launch(config) {
  const file = path.join(work, `config-${launched + refused}.json`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return { file, ...run(["launch", file, "--data-dir", path.join(work, "data"), "--json"]) };
}

// One letter too many: a single edit from the right name and from no other.
function misspelt(name) {
  return name + name.slice(-1);
}

function checkArgument(row, base, suffix) {
  const key = `${row.group}.${row.name}`;
  const example = examples[key] || (row.group === "monitoring" ? { [key]: 0.5 } : undefined);
  if (!example) fail(`${key} is documented by throng wut but has no example in this test`);
  const config = apply(JSON.parse(JSON.stringify(base)), example, suffix);
  const result = launch(config);
  if (result.code !== 0) fail(`launch with ${key} exited ${result.code}: ${result.err}`);
  const launchedRun = JSON.parse(result.out);
  launched++;
  if (key === "architect.public_url" && !launchedRun.worker_link.startsWith("https://tasks.example.org/crowd/?task_run_id=")) {
    fail(`architect.public_url is not the start of the worker link: ${launchedRun.worker_link}`);
  }
  // A live setting shows in `throng status` with the value given.
  if (row.live) {
    const status = JSON.parse(run(["status", launchedRun.task_run_id, "--json"]).out);
    const settings = row.group === "monitoring" ? null : status.settings;
    if (settings && settings[row.name] !== example[key]) {
      fail(`${key}=${example[key]} launched, but the run has ${JSON.stringify(settings[row.name])}`);
    }
  }
  // Each key's misspelling once (the check does not depend on the type), as each start of the
  // sanitized binary takes most of a second.
  if (row.name === "type" || misspellingsTried.has(key)) return;
  misspellingsTried.add(key);
  // The same key misspelt: refused, naming the misspelt key and the right one.
  const wrong = JSON.parse(JSON.stringify(config));
  const value = wrong[row.group][row.name];
  delete wrong[row.group][row.name];
  wrong[row.group][misspelt(row.name)] = value;
  const refusal = launch(wrong);
  refused++;
  if (refusal.code !== 1) fail(`launch with ${row.group}.${misspelt(row.name)} exited ${refusal.code}`);
  const expected = `${row.group}.${misspelt(row.name)} is not a setting of ${row.group}`;
  if (!refusal.err.includes(expected) || !refusal.err.includes(`did you mean ${row.name}?`)) {
    fail(`launch with ${row.group}.${misspelt(row.name)}: ${refusal.err}`);
  }
}

const groups = wut("");
const kindsOf = (name) => groups.find((g) => g.group === name).types.map((t) => t.name);
let seen = 0;
for (const blueprint of kindsOf("blueprint")) {
  for (const row of wut(`blueprint=${blueprint}`)) checkArgument(row, baseConfig(blueprint, "mock"), "mock"), seen++;
  console.log(`ok: every blueprint=${blueprint} argument launches, and misspelt is refused`);
}
for (const architect of kindsOf("architect")) {
  for (const row of wut(`architect=${architect}`)) checkArgument(row, baseConfig("static_task", "mock"), "mock"), seen++;
}
for (const provider of kindsOf("provider")) {
  for (const row of wut(`provider=${provider}`)) {
    checkArgument(row, baseConfig("static_task", provider), provider), seen++;
  }
}
for (const group of ["task", "monitoring"]) {
  for (const row of wut(group)) checkArgument(row, baseConfig("static_react_task", "mock"), "mock"), seen++;
}
console.log(`ok: ${seen} documented arguments (architect, provider, task, monitoring included): ${launched} launches accepted, ${refused} distinct misspellings refused`);

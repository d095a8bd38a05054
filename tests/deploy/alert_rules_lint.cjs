#!/usr/bin/env node
// Alerts and runbooks are one-to-one (SPEC M4). For every alert of deploy/prometheus/rules/*.yml:
// severity is critical, warning or info; summary and description are not empty; runbook_url is
// docs/runbooks/<AlertName>.md, that file exists and has exactly the headings
// `# <AlertName>`, `## Meaning`, `## Impact`, `## Diagnosis`, `## Mitigation`, in that order,
// and docs/runbooks/README.md lists it with its severity. Alert names are unique; every
// docs/runbooks/*.md but README.md belongs to an alert; every alert name the Alertmanager config
// matches exists.
//
// The rule files are read by a small parser of their known shape (groups of `- record:` and
// `- alert:` items with scalar keys, `labels:` and `annotations:` maps, block scalars for
// `expr`). Anything else is an error, never silently skipped; promtool has already checked
// the YAML, and the number of rules found here must equal the number promtool found.
// Usage: alert_rules_lint.cjs <repo root> [<file>=<rule count from promtool>...]
"use strict";
const fs = require("fs");
const path = require("path");

const root = process.argv[2];
if (!root) {
  console.error("usage: alert_rules_lint.cjs <repo root> [<file>=<rule count>...]");
  process.exit(2);
}
const expectedCounts = new Map(
  process.argv.slice(3).map((arg) => {
    const at = arg.lastIndexOf("=");
    return [path.basename(arg.slice(0, at)), Number(arg.slice(at + 1))];
  }),
);
const rulesDir = path.join(root, "deploy/prometheus/rules");
const runbooksDir = path.join(root, "docs/runbooks");
const failures = [];
const fail = (message) => failures.push(message);

// --- A YAML scalar on one line: plain, 'single' or "double" quoted.
function scalar(text, where) {
  const t = text.trim();
  if (t.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(t);
    if (!m) throw new Error(`${where}: unterminated or multi-line single-quoted scalar`);
    return m[1].replace(/''/g, "'");
  }
  if (t.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(t);
    if (!m) throw new Error(`${where}: unterminated or multi-line double-quoted scalar`);
    return JSON.parse(`"${m[1].replace(/\\'/g, "'")}"`);
  }
  if (/^[|>]/.test(t)) throw new Error(`${where}: block scalar where a one-line value is expected`);
  if (/^[[{&*!%@`]/.test(t)) throw new Error(`${where}: unsupported YAML value ${t}`);
  return t.replace(/\s+#.*$/, "");
}

const indentOf = (line) => line.length - line.trimStart().length;
const blank = (line) => line.trim() === "" || line.trim().startsWith("#");

// Parses one rule file into [{kind: "alert"|"record", name, keys, labels, annotations, line}].
function parseRules(file) {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const name = path.relative(root, file);
  const rules = [];
  let i = 0;
  const where = () => `${name}:${i + 1}`;
  // Skips a block scalar's body: every following line indented deeper than `keyIndent`.
  const skipBlock = (keyIndent) => {
    while (i + 1 < lines.length && (lines[i + 1].trim() === "" || indentOf(lines[i + 1]) > keyIndent)) i++;
  };
  // Reads a `key:` map of one-line scalars whose entries are indented deeper than `keyIndent`.
  const readMap = (keyIndent) => {
    const map = {};
    let entryIndent = null;
    while (i + 1 < lines.length && (blank(lines[i + 1]) || indentOf(lines[i + 1]) > keyIndent)) {
      i++;
      if (blank(lines[i])) continue;
      const indent = indentOf(lines[i]);
      if (entryIndent === null) entryIndent = indent;
      if (indent !== entryIndent) throw new Error(`${where()}: unexpected indentation in a map`);
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$/.exec(lines[i]);
      if (!m || m[2] === undefined) throw new Error(`${where()}: expected "key: value"`);
      if (m[1] in map) throw new Error(`${where()}: duplicate key ${m[1]}`);
      map[m[1]] = scalar(m[2], where());
    }
    return map;
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (blank(line)) continue;
    const item = /^(\s*)- (alert|record):\s+(.*)$/.exec(line);
    if (!item) {
      // Outside a rule only the file's skeleton may appear.
      if (!/^(groups:|\s*- name:\s+\S.*|\s*rules:|\s*interval:\s+\S+)\s*$/.test(line)) {
        throw new Error(`${where()}: unexpected line outside a rule: ${line.trim()}`);
      }
      continue;
    }
    const keyIndent = item[1].length + 2;
    const rule = { kind: item[2], name: scalar(item[3], where()), keys: {}, labels: {}, annotations: {}, line: i + 1 };
    while (i + 1 < lines.length && (blank(lines[i + 1]) || indentOf(lines[i + 1]) >= keyIndent)) {
      i++;
      if (blank(lines[i])) continue;
      if (indentOf(lines[i]) !== keyIndent) throw new Error(`${where()}: unexpected indentation in rule ${rule.name}`);
      const m = /^\s*([A-Za-z_]+):(?:\s+(.*))?$/.exec(lines[i]);
      if (!m) throw new Error(`${where()}: expected "key:" in rule ${rule.name}`);
      const [, key, value] = m;
      if (key in rule.keys) throw new Error(`${where()}: duplicate key ${key} in rule ${rule.name}`);
      if (key === "labels" || key === "annotations") {
        if (value !== undefined && value.trim() !== "") throw new Error(`${where()}: ${key} must be a block map`);
        rule.keys[key] = true;
        rule[key] = readMap(keyIndent);
      } else if (value !== undefined && /^[|>][-+]?\s*$/.test(value.trim())) {
        rule.keys[key] = "(block)";
        skipBlock(keyIndent);
      } else {
        if (value === undefined) throw new Error(`${where()}: ${key} has no value in rule ${rule.name}`);
        rule.keys[key] = scalar(value, where());
      }
    }
    for (const key of Object.keys(rule.keys)) {
      if (!["expr", "for", "keep_firing_for", "labels", "annotations"].includes(key)) {
        throw new Error(`${name}:${rule.line}: unknown key ${key} in rule ${rule.name}`);
      }
    }
    rules.push(rule);
  }
  return rules;
}

// --- The runbooks' headings, outside fenced code blocks.
function headings(file) {
  const found = [];
  let fenced = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced && /^#{1,6}\s/.test(line)) found.push(line.trim());
  }
  return found;
}

const alerts = new Map();
for (const file of fs.readdirSync(rulesDir).filter((f) => f.endsWith(".yml")).sort()) {
  let rules;
  try {
    rules = parseRules(path.join(rulesDir, file));
  } catch (error) {
    fail(error.message);
    continue;
  }
  if (expectedCounts.has(file) && expectedCounts.get(file) !== rules.length) {
    fail(`deploy/prometheus/rules/${file}: promtool found ${expectedCounts.get(file)} rules, this parser ${rules.length}`);
  }
  for (const rule of rules.filter((r) => r.kind === "alert")) {
    const at = `deploy/prometheus/rules/${file}:${rule.line} (${rule.name})`;
    if (!/^[A-Z][A-Za-z0-9]*$/.test(rule.name)) fail(`${at}: alert names are CamelCase`);
    if (alerts.has(rule.name)) fail(`${at}: alert name already used in ${alerts.get(rule.name).file}`);
    alerts.set(rule.name, { ...rule, file });
    const severity = rule.labels.severity;
    if (!["critical", "warning", "info"].includes(severity)) fail(`${at}: severity is "${severity ?? ""}", not critical, warning or info`);
    for (const annotation of ["summary", "description"]) {
      if (!(rule.annotations[annotation] ?? "").trim()) fail(`${at}: no ${annotation} annotation`);
    }
    const url = `docs/runbooks/${rule.name}.md`;
    if (rule.annotations.runbook_url !== url) fail(`${at}: runbook_url is "${rule.annotations.runbook_url ?? ""}", not ${url}`);
    const runbook = path.join(root, url);
    if (!fs.existsSync(runbook)) {
      fail(`${at}: ${url} does not exist`);
      continue;
    }
    const want = [`# ${rule.name}`, "## Meaning", "## Impact", "## Diagnosis", "## Mitigation"];
    const got = headings(runbook);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      fail(`${url}: headings are [${got.join(" | ")}], want [${want.join(" | ")}]`);
    }
  }
}

// Every runbook belongs to an alert, and the index lists every alert.
for (const file of fs.readdirSync(runbooksDir).filter((f) => f.endsWith(".md") && f !== "README.md")) {
  if (!alerts.has(file.slice(0, -3))) fail(`docs/runbooks/${file}: no alert of that name in deploy/prometheus/rules`);
}
const index = fs.readFileSync(path.join(runbooksDir, "README.md"), "utf8");
for (const [name, rule] of alerts) {
  const row = new RegExp(`^\\| ${name} \\| ${rule.labels.severity} \\| [^|]+ \\| \\[${name}\\.md\\]\\(${name}\\.md\\) \\|$`, "m");
  if (!row.test(index)) fail(`docs/runbooks/README.md: no index row "| ${name} | ${rule.labels.severity} | <summary> | [${name}.md](${name}.md) |"`);
}

// Alert names the Alertmanager config matches on exist.
const alertmanager = path.join(root, "deploy/alertmanager/alertmanager.yml");
for (const m of fs.readFileSync(alertmanager, "utf8").matchAll(/alertname\s*=~?\s*"([^"]*)"/g)) {
  for (const name of m[1].split("|")) {
    if (!alerts.has(name)) fail(`deploy/alertmanager/alertmanager.yml: matches alert ${name}, which no rule defines`);
  }
}

if (alerts.size === 0) fail("deploy/prometheus/rules: no alert found");
for (const message of failures) console.error(`FAIL: ${message}`);
if (failures.length) process.exit(1);
console.log(`alerts: ${alerts.size} alerts, each with severity, summary, description and its runbook`);

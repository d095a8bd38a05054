// Static lint of the Grafana dashboards (SPEC M5), the rules of grafana/dashboard-linter that
// matter here plus our own conventions. No Grafana, no network.
//
//   node dashboards_lint.cjs <dashboards dir> <provisioning dir> [<exprs out file>]
//
// Checks every dashboard: valid JSON; the pinned schemaVersion; a uid of 8-40 characters,
// unique across files; `id` null; the data source as the ${datasource} variable (dashboard,
// panels, targets, query variables); unique panel ids and grid positions inside 24 columns
// that do not overlap; every panel with a title, a description, a unit and at least one query,
// each query with a unique refId; counters (_total, _bucket, _count, _sum) only inside rate(),
// irate() or increase(), whose ranges are $__rate_interval or $__range; every variable used by
// some query, with a regex matcher (=~) so "All" works. Provisioning: the datasource uid exists.
// With <exprs out file>, writes every query with the variables substituted (one per line) for
// the caller to parse with promtool and check against the services' metric names.
"use strict";
const fs = require("fs");
const path = require("path");

const SCHEMA_VERSION = 39;
const [dir, provisioning, exprsOut] = process.argv.slice(2);
if (!dir || !provisioning) {
  console.error("usage: node dashboards_lint.cjs <dashboards dir> <provisioning dir> [<exprs out file>]");
  process.exit(2);
}

const problems = [];
const problem = (where, text) => problems.push(`${where}: ${text}`);
const isDatasourceVariable = (ds) => ds && ds.type === "prometheus" && ds.uid === "${datasource}";

// Grafana's macros and our variables as the live test substitutes them.
function substitute(expr) {
  return expr
    .replaceAll("$__rate_interval", "1m")
    .replaceAll("$__range", "5m")
    .replace(/\$\{?(task_run|instance_id)\}?/g, ".+");
}

// The function whose argument list encloses position `at`, or "" at top level.
function enclosingFunction(expr, at) {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (expr[i] === ")") depth++;
    else if (expr[i] === "(") {
      if (depth === 0) {
        const name = /([a-z_]+)\s*$/.exec(expr.slice(0, i));
        return name ? name[1] : "";
      }
      depth--;
    }
  }
  return "";
}

function lintExpr(where, expr) {
  // Label matchers and strings are not metric names; blank them before looking for counters.
  const code = expr.replace(/\{[^}]*\}/g, (m) => " ".repeat(m.length)).replace(/"[^"]*"/g, (m) => " ".repeat(m.length));
  for (const match of code.matchAll(/\b([a-z_:][a-z0-9_:]*_(total|bucket|count|sum))\b/g)) {
    const fn = enclosingFunction(code, match.index);
    if (!["rate", "irate", "increase"].includes(fn)) {
      problem(where, `counter ${match[1]} is read outside rate()/irate()/increase() (in ${fn || "top level"})`);
    }
  }
  for (const range of expr.matchAll(/\[([^\]]*)\]/g)) {
    if (range[1] !== "$__rate_interval" && range[1] !== "$__range") {
      problem(where, `range [${range[1]}] should be [$__rate_interval] (or [$__range] for the whole time range)`);
    }
  }
  if (/\bALERTS\{/.test(expr) && !/alertname=~?"/.test(expr)) problem(where, "ALERTS without an alertname matcher");
  for (const variable of expr.matchAll(/([a-z_]+)\s*(=~|!~|=|!=)\s*"\$\{?([a-z_]+)\}?"/g)) {
    if (variable[2] !== "=~") problem(where, `variable $${variable[3]} is matched with ${variable[2]}; use =~ so "All" works`);
  }
}

const uids = new Map();
const exprs = [];
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) problem(dir, "no dashboards");
for (const file of files) {
  let board;
  try {
    board = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  } catch (e) {
    problem(file, `not valid JSON: ${e.message}`);
    continue;
  }
  if (board.schemaVersion !== SCHEMA_VERSION) problem(file, `schemaVersion ${board.schemaVersion}, expected ${SCHEMA_VERSION}`);
  if (typeof board.uid !== "string" || board.uid.length < 8 || board.uid.length > 40) problem(file, `uid ${board.uid} must be 8-40 characters`);
  else if (uids.has(board.uid)) problem(file, `uid ${board.uid} is also used by ${uids.get(board.uid)}`);
  else uids.set(board.uid, file);
  if (board.id !== null) problem(file, "id must be null (Grafana assigns it)");
  if (!board.title) problem(file, "no title");

  const variables = (board.templating && board.templating.list) || [];
  if (!variables.some((v) => v.type === "datasource" && v.name === "datasource" && v.query === "prometheus")) {
    problem(file, "no `datasource` variable of type datasource (prometheus)");
  }
  const used = new Set();
  for (const v of variables.filter((v) => v.type === "query")) {
    if (!isDatasourceVariable(v.datasource)) problem(`${file} variable ${v.name}`, "data source is not ${datasource}");
    const query = typeof v.query === "string" ? v.query : v.query && v.query.query;
    if (!/^label_values\([^,]+,\s*[a-z_]+\)$/.test(query || "")) problem(`${file} variable ${v.name}`, `query ${query} is not label_values(<selector>, <label>)`);
    else exprs.push({ where: `${file} variable ${v.name}`, expr: query.replace(/^label_values\((.+),\s*[a-z_]+\)$/, "$1"), variable: true });
    if (v.includeAll && v.allValue !== ".+") problem(`${file} variable ${v.name}`, "allValue must be .+ (every value of a series that has the label)");
  }

  const ids = new Set();
  const cells = new Map();
  for (const panel of board.panels || []) {
    const where = `${file} panel ${panel.id} "${panel.title}"`;
    if (ids.has(panel.id)) problem(where, "duplicate panel id");
    ids.add(panel.id);
    const g = panel.gridPos || {};
    if (!(g.w > 0 && g.h > 0 && g.x >= 0 && g.y >= 0 && g.x + g.w <= 24)) problem(where, `gridPos ${JSON.stringify(g)} outside 24 columns`);
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const key = `${x},${y}`;
        if (cells.has(key)) problem(where, `overlaps panel ${cells.get(key)}`);
        cells.set(key, panel.id);
      }
    }
    if (panel.type === "row") continue;
    if (!panel.title) problem(where, "no title");
    if (!panel.description) problem(where, "no description");
    if (!(panel.fieldConfig && panel.fieldConfig.defaults && panel.fieldConfig.defaults.unit)) problem(where, "no unit");
    if (!isDatasourceVariable(panel.datasource)) problem(where, "data source is not ${datasource}");
    const targets = panel.targets || [];
    if (targets.length === 0) problem(where, "no query");
    const refIds = new Set();
    for (const t of targets) {
      if (!t.refId || refIds.has(t.refId)) problem(where, `missing or duplicate refId ${t.refId}`);
      refIds.add(t.refId);
      if (!isDatasourceVariable(t.datasource)) problem(`${where} ${t.refId}`, "data source is not ${datasource}");
      if (!t.expr) {
        problem(`${where} ${t.refId}`, "no expr");
        continue;
      }
      lintExpr(`${where} ${t.refId}`, t.expr);
      for (const v of t.expr.matchAll(/\$\{?([a-z_]+)\}?/g)) used.add(v[1]);
      exprs.push({ where: `${where} ${t.refId}`, dashboard: file, title: panel.title, expr: substitute(t.expr), raw: t.expr });
    }
  }
  for (const v of variables) {
    if (v.type === "query" && !used.has(v.name)) problem(`${file} variable ${v.name}`, "not used by any query");
  }
}

// Provisioning: the datasource the dashboards are meant for is provisioned with a fixed uid,
// and the dashboard provider reads a directory.
const datasources = fs.readFileSync(path.join(provisioning, "datasources", "prometheus.yml"), "utf8");
if (!/type:\s*prometheus/.test(datasources) || !/uid:\s*\S+/.test(datasources)) problem("provisioning/datasources/prometheus.yml", "no prometheus datasource with a fixed uid");
const providers = fs.readFileSync(path.join(provisioning, "dashboards", "throng.yml"), "utf8");
if (!/type:\s*file/.test(providers) || !/path:\s*\S+/.test(providers)) problem("provisioning/dashboards/throng.yml", "no file provider with a path");

if (exprsOut) fs.writeFileSync(exprsOut, JSON.stringify(exprs, null, 1));
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log(`dashboards lint: ${files.length} dashboards, ${exprs.length} queries pass`);

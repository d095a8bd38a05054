// Writes the Grafana dashboards (grafana/dashboards/*.json) from the definitions below, so
// that every panel follows the same conventions: the data source and the variables by
// name, one copy of each series per aggregator replica (`max without (instance)`), counters
// only inside rate() or increase() over $__rate_interval or $__range, a unit and a description
// on every panel. The JSON files are committed (Grafana provisioning mounts them as they are);
// tests/deploy/dashboards_test.sh fails when they differ from what this prints.
//
//   node grafana/generate_dashboards.cjs            rewrite grafana/dashboards/*.json
//   node grafana/generate_dashboards.cjs --check    exit 1 if a committed file is out of date
"use strict";
const fs = require("fs");
const path = require("path");

const SCHEMA_VERSION = 39;  // Grafana 10.4; newer Grafana migrates it on load
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

// --- PromQL helpers. Every series arrives once per aggregator replica (Prometheus's
// `instance` label); `max without (instance)` keeps one copy before anything is summed.
const one = (expr) => `max without (instance) (${expr})`;
const sel = (matchers) => (matchers ? `{${matchers}}` : "");
const rate = (metric, matchers) => one(`rate(${metric}${sel(matchers)}[$__rate_interval])`);
const increase = (metric, matchers) => one(`increase(${metric}${sel(matchers)}[$__range])`);
const gauge = (metric, matchers) => one(`${metric}${sel(matchers)}`);
const sumBy = (labels, expr) => `sum by (${labels}) (${expr})`;
const quantile = (q, metric, by, matchers) =>
  `histogram_quantile(${q}, sum by (${["le", ...by].join(", ")}) (${rate(`${metric}_bucket`, matchers)}))`;
const heatmapOf = (metric, matchers) => sumBy("le", rate(`${metric}_bucket`, matchers));
// Joins matchers, leaving out empty ones.
const and = (...matchers) => matchers.filter(Boolean).join(", ");

// --- Panels. Sizes are in Grafana grid units (24 across); layout() places them in rows.
function target(expr, legend, extra = {}) {
  return { expr, legendFormat: legend ?? "", ...extra };
}
function timeseries(title, description, unit, targets, more = {}) {
  return { type: "timeseries", title, description, unit, targets, w: 12, h: 8, ...more };
}
function stat(title, description, unit, targets, more = {}) {
  return { type: "stat", title, description, unit, targets, w: 6, h: 4, ...more };
}
function heatmap(title, description, metric, matchers, more = {}) {
  return {
    type: "heatmap",
    title,
    description,
    unit: "s",
    targets: [target(heatmapOf(metric, matchers), "{{le}}", { format: "heatmap" })],
    w: 8,
    h: 8,
    ...more,
  };
}
const row = (title) => ({ type: "row", title });

function render(panel, id, gridPos) {
  if (panel.type === "row") {
    return { id, type: "row", title: panel.title, collapsed: false, gridPos, panels: [] };
  }
  const out = {
    id,
    type: panel.type,
    title: panel.title,
    description: panel.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults: { unit: panel.unit, ...(panel.defaults || {}) }, overrides: [] },
    options: {},
    targets: panel.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legendFormat,
      ...(t.format ? { format: t.format } : {}),
      ...(t.instant ? { instant: true, range: false } : {}),
    })),
  };
  if (panel.type === "timeseries") {
    out.options = {
      legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] },
      tooltip: { mode: "multi", sort: "desc" },
    };
  } else if (panel.type === "stat") {
    out.options = {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      colorMode: "value",
      graphMode: "area",
      textMode: "value_and_name",
    };
  } else if (panel.type === "heatmap") {
    out.options = {
      calculate: false,
      cellGap: 1,
      color: { mode: "scheme", scheme: "Oranges", steps: 64 },
      yAxis: { unit: panel.unit },
      tooltip: { show: true, yHistogram: true },
    };
  }
  return out;
}

// Rows of panels left to right, wrapping at 24 columns.
function layout(panels) {
  const out = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  panels.forEach((panel, i) => {
    const id = i + 1;
    if (panel.type === "row") {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
      out.push(render(panel, id, { h: 1, w: 24, x: 0, y }));
      y += 1;
      return;
    }
    if (x + panel.w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    out.push(render(panel, id, { h: panel.h, w: panel.w, x, y }));
    x += panel.w;
    rowHeight = Math.max(rowHeight, panel.h);
  });
  return out;
}

// --- Variables.
const datasourceVariable = {
  name: "datasource",
  label: "Data source",
  type: "datasource",
  query: "prometheus",
  current: {},
  hide: 0,
  refresh: 1,
};
function labelVariable(name, label, metric, labelName) {
  const query = `label_values(${metric}, ${labelName})`;
  return {
    name,
    label,
    type: "query",
    datasource: DATASOURCE,
    definition: query,
    query: { query, refId: `${name}-variable` },
    refresh: 2,
    includeAll: true,
    allValue: ".+",  // every value, but only series that have the label
    multi: true,
    current: { selected: true, text: ["All"], value: ["$__all"] },
    sort: 3,
    hide: 0,
  };
}
const taskRunVariable = labelVariable("task_run", "Task run", "throng_operator_run_units", "task_run_id");
const instanceVariable = (service) =>
  labelVariable(
    "instance_id",
    `${service[0].toUpperCase()}${service.slice(1)} instance`,
    `throng_service_state{service="${service}"}`,
    "instance_id",
  );

function dashboard({ uid, title, description, variables, panels }) {
  return {
    uid,
    title,
    description,
    id: null,
    tags: ["throng"],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: "10s",
    time: { from: "now-1h", to: "now" },
    timezone: "",
    links: [
      { type: "dashboards", tags: ["throng"], asDropdown: false, includeVars: true, keepTime: true, title: "throng" },
    ],
    templating: { list: [datasourceVariable, ...variables] },
    annotations: { list: [] },
    panels: layout(panels),
  };
}

// --- Panels shared by the service dashboards: the process and its health.
function processPanels(service) {
  const job = `job="throng-${service}", instance_id=~"$instance_id"`;
  return [
    row("Process"),
    timeseries("Health state", `1 for the state each ${service} instance is in (starting, standby, running, draining, error).`, "short",
      [target(sumBy("instance_id, state", gauge("throng_service_state", `service="${service}", instance_id=~"$instance_id"`)) + " > 0", "{{instance_id}} {{state}}")], { w: 6 }),
    timeseries("CPU", "CPU time used per second by each instance (1 = one core busy).", "percentunit",
      [target(sumBy("instance_id", rate("process_cpu_seconds_total", job)), "{{instance_id}}")], { w: 6 }),
    timeseries("Resident memory", "Resident memory of each instance.", "bytes",
      [target(sumBy("instance_id", gauge("process_resident_memory_bytes", job)), "{{instance_id}}")], { w: 6 }),
    timeseries("Open file descriptors", "Open file descriptors of each instance, against its limit (process_max_fds).", "short",
      [target(sumBy("instance_id", gauge("process_open_fds", job)), "{{instance_id}} open"),
        target(sumBy("instance_id", gauge("process_max_fds", job)), "{{instance_id}} limit")], { w: 6 }),
  ];
}

const run = 'task_run_id=~"$task_run"';
const inst = 'instance_id=~"$instance_id"';

const overview = dashboard({
  uid: "throng-overview",
  title: "throng overview",
  description: "The cluster at a glance and the health and quality of each task run (Mephisto's General Health group, plus quality monitors).",
  variables: [taskRunVariable],
  panels: [
    row("Cluster"),
    stat("Instances running", "Instances of each service whose health state is running.", "short",
      [target(sumBy("service", gauge("throng_service_state", 'state="running"')), "{{service}}")]),
    stat("Aggregator endpoints up", "Scrape targets (an aggregator replica's /metrics/<service>) Prometheus reached at its last scrape.", "short",
      [target(sumBy("job", 'up{job=~"throng-.*"}'), "{{job}}")]),
    stat("Live task runs", "Task runs the operator is serving (with units not yet completed or expired).", "short",
      [target(`count(count by (task_run_id) (${gauge("throng_operator_run_units")}))`, "runs")]),
    stat("Submissions per minute", "Standard units completed per minute in the selected runs.", "short",
      [target(`sum(${rate("throng_operator_submissions_total", run)}) * 60`, "submissions")]),
    row("General health"),
    timeseries("P99 end-to-end latency by packet type", "From a packet reaching a router to its answer leaving it, 99th percentile. Should stay under a few seconds; if not, look at the Operator and Network dashboards.", "s",
      [target(quantile(0.99, "throng_router_hop_latency_seconds", ["packet_type"], 'stage="e2e_time"'), "{{packet_type}}")]),
    timeseries("Estimated active workers", "Distinct workers with an agent or onboarding agent at work (accepted, onboarding, waiting, in task) in each run, counted every 5 s.", "short",
      [target(sumBy("task_run_id", gauge("throng_operator_run_active_workers", run)), "run {{task_run_id}}")]),
    timeseries("Live agent status", "Agents of the selected runs by status. They move from accepted / in task to completed, or to disconnect, timeout or expired.", "short",
      [target(sumBy("status", gauge("throng_operator_run_agents", run)), "{{status}}")]),
    timeseries("Incoming requests per minute by type", "Packets the operator received per minute, by type, all runs. No register_agent means no worker is arriving; a spike of log_error means pages report errors.", "short",
      [target(`${sumBy("packet_type", rate("throng_operator_packets_received_total"))} * 60`, "{{packet_type}}")]),
    timeseries("Connecting agent responses", "What the operator answered to registrations and reconnects, per minute, all runs: assigned, assigned_onboarding, reconnection, no_available_units, not_qualified, agent_missing.", "short",
      [target(`${sumBy("response", rate("throng_operator_agent_details_responses_total"))} * 60`, "{{response}}")]),
    timeseries("Live unit status", "Units of the selected runs by status (created, launched, assigned, completed, expired, ...).", "short",
      [target(sumBy("status", gauge("throng_operator_run_units", run)), "{{status}}")]),
    stat("Launched units by type", "Units launched in the dashboard's time range in the selected runs: standard, screening and gold.", "short",
      [target(sumBy("unit_type", increase("throng_operator_units_launched_total", run)), "{{unit_type}}", { instant: true })], { w: 12, h: 8 }),
    timeseries("Active runners", "Units assigned to a worker and onboarding agents at work, per run (Mephisto's active task runners).", "short",
      [target(sumBy("task_run_id", gauge("throng_operator_run_units", and(run, 'status="assigned"'))), "run {{task_run_id}} units"),
        target(sumBy("task_run_id", gauge("throng_operator_run_onboarding_agents", and(run, 'status="onboarding"'))), "run {{task_run_id}} onboarding")]),
    row("Quality"),
    stat("Validation pass rate", "Share of onboarding, screening and gold answers that matched their answer key in the dashboard's time range, per run, beside the run's thresholds (monitoring.min_* in the run config). The alerts use the last 30 minutes.", "percentunit",
      [target(`${sumBy("task_run_id, kind", increase("throng_operator_validation_outcomes_total", and(run, 'outcome="passed"')))} / ${sumBy("task_run_id, kind", increase("throng_operator_validation_outcomes_total", run))}`, "run {{task_run_id}} {{kind}}", { instant: true }),
        target(sumBy("task_run_id, monitor", gauge("throng_operator_run_quality_threshold", and(run, 'monitor=~"min_.*"'))), "run {{task_run_id}} {{monitor}}", { instant: true })], { w: 12, h: 8 }),
    stat("Submission quality", "Share of completed standard units per run that were empty, much faster than the run's median (under monitoring.fast_submission_fraction of it), or normal, in the dashboard's time range, beside the run's thresholds (monitoring.max_*). The alerts use the last 30 minutes.", "percentunit",
      [target(`${sumBy("task_run_id, quality", increase("throng_operator_submissions_total", run))} / ignoring (quality) group_left ${sumBy("task_run_id", increase("throng_operator_submissions_total", run))}`, "run {{task_run_id}} {{quality}}", { instant: true }),
        target(sumBy("task_run_id, monitor", gauge("throng_operator_run_quality_threshold", and(run, 'monitor=~"max_.*"'))), "run {{task_run_id}} {{monitor}}", { instant: true })], { w: 12, h: 8 }),
    timeseries("Quality alerts", "Per-run quality alerts (gold accuracy, screening and onboarding pass rates, empty and fast submissions) pending or firing for the selected runs; the runbooks are in docs/runbooks.", "short",
      [target(`sum by (alertname, task_run_id, alertstate) (ALERTS{alertname=~"ThrongRun.*", ${run}})`, "{{alertname}} run {{task_run_id}} {{alertstate}}")], { w: 24 }),
    timeseries("Unit completion time", "Time from a worker getting a unit to its submission, per run: median and 90th percentile.", "s",
      [target(quantile(0.5, "throng_operator_unit_completion_seconds", ["task_run_id"], run), "run {{task_run_id}} p50"),
        target(quantile(0.9, "throng_operator_unit_completion_seconds", ["task_run_id"], run), "run {{task_run_id}} p90")]),
    heatmap("Unit completion time distribution", "How long workers take per unit in the selected runs; a cluster near zero is workers clicking through.", "throng_operator_unit_completion_seconds", run, { w: 12 }),
  ],
});

const router = dashboard({
  uid: "throng-router",
  title: "throng router",
  description: "Routers: the workers' HTTP and WebSocket traffic, what was refused and why, the link to the operator, saturation.",
  variables: [instanceVariable("router")],
  panels: [
    row("Traffic"),
    timeseries("HTTP requests by endpoint", "Browser HTTP requests per second, by endpoint.", "reqps",
      [target(sumBy("endpoint", rate("throng_router_http_requests_total", inst)), "{{endpoint}}")], { w: 8 }),
    timeseries("HTTP answers by status code", "Browser HTTP requests per second, by the status code answered.", "reqps",
      [target(sumBy("code", rate("throng_router_http_requests_total", inst)), "{{code}}")], { w: 8 }),
    timeseries("P99 HTTP latency by endpoint", "Time to answer, 99th percentile, held requests (waiting for the operator) included.", "s",
      [target(quantile(0.99, "throng_router_http_request_duration_seconds", ["endpoint"], inst), "{{endpoint}}")], { w: 8 }),
    timeseries("Open WebSockets", "Browser WebSockets open on each router.", "short",
      [target(sumBy("instance_id", gauge("throng_router_websocket_connections", inst)), "{{instance_id}}")], { w: 8 }),
    timeseries("WebSocket packets by type", "Packets per second from browsers (received) and to browsers (sent), by type.", "pps",
      [target(sumBy("packet_type", rate("throng_router_websocket_packets_total", inst)), "in {{packet_type}}"),
        target(sumBy("packet_type", rate("throng_router_websocket_packets_sent_total", inst)), "out {{packet_type}}")], { w: 8 }),
    timeseries("Bytes in and out", "HTTP body and WebSocket payload bytes per second, in from browsers and out to them.", "Bps",
      [target(sumBy("direction", rate("throng_router_http_bytes_total", inst)), "http {{direction}}"),
        target(sumBy("direction", rate("throng_router_websocket_bytes_total", inst)), "websocket {{direction}}")], { w: 8 }),
    row("Refused"),
    timeseries("Rejected requests and packets by reason", "Browser input refused with a clear error, per second, by reason (malformed JSON, invalid UTF-8, missing field, too large, rate limited, operator unreachable, ...).", "reqps",
      [target(sumBy("reason", rate("throng_router_rejected_requests_total", inst)), "{{reason}}")], { w: 12 }),
    timeseries("WebSocket connections accepted", "New browser WebSockets per second.", "short",
      [target(sumBy("instance_id", rate("throng_router_websocket_connections_total", inst)), "{{instance_id}}")], { w: 12 }),
    row("Operator link (ZeroMQ)"),
    timeseries("Operator reachable", "1 while the router hears the operator's heartbeat.", "short",
      [target(sumBy("instance_id", gauge("throng_router_operator_reachable", inst)), "{{instance_id}}")], { w: 6 }),
    timeseries("Packets to and from the operator", "Packets per second over ZeroMQ, by type and direction.", "pps",
      [target(sumBy("packet_type, direction", rate("throng_router_packets_total", inst)), "{{direction}} {{packet_type}}")], { w: 6 }),
    timeseries("Held requests and operator queue", "Requests waiting for the operator's answer, and packets not yet handed to ZeroMQ.", "short",
      [target(sumBy("instance_id", gauge("throng_router_held_requests", inst)), "{{instance_id}} held"),
        target(sumBy("instance_id", gauge("throng_router_operator_queue_depth", inst)), "{{instance_id}} queued")], { w: 6 }),
    timeseries("Heartbeat round trip", "Round trip of the router-operator status exchange (Mephisto's agent status ping), 99th percentile.", "s",
      [target(quantile(0.99, "throng_router_operator_heartbeat_rtt_seconds", ["instance_id"], inst), "{{instance_id}}")], { w: 6 }),
    timeseries("ZeroMQ connection events", "Connection events of each router's socket to the operator, per second (connected, disconnected, connect_retried, ...).", "short",
      [target(sumBy("event", rate("throng_router_zmq_events_total", inst)), "{{event}}")], { w: 12 }),
    timeseries("Sends to the operator that failed", "Packets the router could not hand to the operator, per second, by reason.", "pps",
      [target(sumBy("reason", rate("throng_router_operator_send_failures_total", inst)), "{{reason}}")], { w: 12 }),
    row("Saturation"),
    timeseries("Event loop lag", "How late each router's I/O loop runs a periodic timer; above 0.25 s the router is saturated (workers wait on it).", "s",
      [target(sumBy("instance_id", gauge("throng_router_event_loop_lag_seconds", inst)), "{{instance_id}}")], { w: 12 }),
    timeseries("Live task runs served", "Task runs each router serves.", "short",
      [target(sumBy("instance_id", gauge("throng_router_live_task_runs", inst)), "{{instance_id}}")], { w: 12 }),
    ...processPanels("router"),
  ],
});

const operator = dashboard({
  uid: "throng-operator",
  title: "throng operator",
  description: "The operator: packets, database health, registrations (Mephisto's Operator Health group), onboarding and validation.",
  variables: [taskRunVariable, instanceVariable("operator")],
  panels: [
    row("Operator health"),
    timeseries("Active runners", "Units assigned to workers and onboarding agents at work, per run.", "short",
      [target(sumBy("task_run_id", gauge("throng_operator_run_units", and(run, 'status="assigned"'))), "run {{task_run_id}} units"),
        target(sumBy("task_run_id", gauge("throng_operator_run_onboarding_agents", and(run, 'status="onboarding"'))), "run {{task_run_id}} onboarding")], { w: 8 }),
    heatmap("Unit completion time", "Time from a worker getting a unit to its submission, in the selected runs.", "throng_operator_unit_completion_seconds", run),
    timeseries("P99 database latency by method", "PostgreSQL call latency, 99th percentile, by call. Should stay in milliseconds; spikes point at the database host or its disk.", "s",
      [target(quantile(0.99, "throng_operator_db_latency_seconds", ["method"], inst), "{{method}}")], { w: 8 }),
    timeseries("P99 processing time by packet type", "Time to handle one packet, 99th percentile.", "s",
      [target(quantile(0.99, "throng_operator_packet_processing_seconds", ["packet_type"], inst), "{{packet_type}}")], { w: 8 }),
    timeseries("Packets processed by outcome", "Packets handled per second by type and outcome (ok, error, late, internal_error).", "pps",
      [target(sumBy("packet_type, outcome", rate("throng_operator_packets_processed_total", inst)), "{{packet_type}} {{outcome}}")], { w: 8 }),
    timeseries("Database errors by method", "Failed PostgreSQL calls per second, by call.", "short",
      [target(sumBy("method", rate("throng_operator_db_errors_total", inst)), "{{method}}")], { w: 8 }),
    row("Registration (assigning a unit)"),
    heatmap("Init data latency", "Building a live run's init data (waiting room, chat history) at registration.", "throng_operator_registration_phase_seconds", and(inst, 'phase="init_data"')),
    heatmap("Valid units latency", "Limits, unit reservation and the agent's init data, inside PostgreSQL.", "throng_operator_registration_phase_seconds", and(inst, 'phase="valid_units"')),
    heatmap("Unit filtering latency", "Qualification requirements and block checks, inside PostgreSQL.", "throng_operator_registration_phase_seconds", and(inst, 'phase="filter_units"')),
    row("Queue and pool"),
    timeseries("Queue depth", "Packets waiting for a database worker.", "short",
      [target(sumBy("instance_id", gauge("throng_operator_queue_depth", inst)), "{{instance_id}}")], { w: 4 }),
    timeseries("Queue lag", "Age of the oldest packet waiting for a database worker: how far behind the operator is.", "s",
      [target(sumBy("instance_id", gauge("throng_operator_queue_lag_seconds", inst)), "{{instance_id}}")], { w: 4 }),
    timeseries("P99 queue wait by packet type", "Time a packet waited for a database worker, 99th percentile.", "s",
      [target(quantile(0.99, "throng_operator_queue_wait_seconds", ["packet_type"], inst), "{{packet_type}}")], { w: 8 }),
    timeseries("Database workers", "The database worker pool by state: busy, idle, disconnected; and reconnections per second.", "short",
      [target(sumBy("state", gauge("throng_operator_db_workers", inst)), "{{state}}"),
        target(sumBy("instance_id", rate("throng_operator_db_reconnects_total", inst)), "{{instance_id}} reconnects/s")], { w: 8 }),
    timeseries("ZeroMQ messages", "Messages per second on the operator's ZeroMQ socket, in and out; routers connected.", "short",
      [target(sumBy("direction", rate("throng_operator_zmq_messages_total", inst)), "{{direction}}"),
        target(sumBy("instance_id", gauge("throng_operator_routers", inst)), "{{instance_id}} routers")], { w: 8 }),
    timeseries("Refused envelopes and transitions", "Envelopes refused (decode, framing, kind, agent not connected), status changes the state machines refused, ZeroMQ sends that failed; per second.", "short",
      [target(sumBy("reason", rate("throng_operator_envelopes_rejected_total", inst)), "envelope {{reason}}"),
        target(sumBy("entity", rate("throng_operator_illegal_transitions_total", inst)), "transition {{entity}}"),
        target(sumBy("reason", rate("throng_operator_zmq_send_failures_total", inst)), "send {{reason}}")], { w: 8 }),
    timeseries("Timeouts, withdrawals and early shutdowns", "Agents ended by a timeout (by reason), units withdrawn after a lowered cap, runs shut down for lack of submissions; per second.", "short",
      [target(sumBy("reason", rate("throng_operator_agents_timed_out_total", inst)), "timed out {{reason}}"),
        target(sumBy("instance_id", rate("throng_operator_units_withdrawn_total", inst)), "withdrawn"),
        target(sumBy("reason", rate("throng_operator_runs_shut_down_total", inst)), "shut down {{reason}}")], { w: 8 }),
    row("Onboarding and validation"),
    timeseries("Validation outcomes", "Onboarding, screening and gold answers checked per minute, passed or failed, in the selected runs.", "short",
      [target(`${sumBy("kind, outcome", rate("throng_operator_validation_outcomes_total", run))} * 60`, "{{kind}} {{outcome}}")], { w: 8 }),
    timeseries("Onboarding agents by status", "Onboarding agents of the selected runs by status (onboarding, waiting, approved, rejected, disconnect).", "short",
      [target(sumBy("status", gauge("throng_operator_run_onboarding_agents", run)), "{{status}}")], { w: 8 }),
    timeseries("Onboarding latency", "Checking an onboarding submission (submit_onboarding), 99th percentile, all operator instances.", "s",
      [target(quantile(0.99, "throng_operator_packet_processing_seconds", [], 'packet_type="submit_onboarding"'), "submit_onboarding")], { w: 8 }),
    ...processPanels("operator"),
  ],
});

const stages = [
  ["client_to_router", "Client to router", "From the browser sending a packet to the router receiving it (clock skew between browser and router shows here)."],
  ["router_processing", "Router", "Inside the router, from receiving a packet to sending it on to the operator."],
  ["router_to_server", "Router to operator", "ZeroMQ transit from the router to the operator."],
  ["server_processing", "Operator", "Inside the operator, from receiving the packet to sending the answer."],
  ["server_to_router", "Operator to router", "ZeroMQ transit of the answer back to the router."],
];
const network = dashboard({
  uid: "throng-network",
  title: "throng network",
  description: "Where a packet's time goes on its way through the stack (Mephisto's Network Health group): per-hop heatmaps and P99 by packet type, and the packet types that limit a run.",
  variables: [instanceVariable("router")],
  panels: [
    ...stages.flatMap(([stage, title, description]) => [
      row(title),
      heatmap(`${title}: latency`, description, "throng_router_hop_latency_seconds", and(inst, `stage="${stage}"`), { w: 12 }),
      timeseries(`${title}: P99 by packet type`, `${description} 99th percentile by packet type.`, "s",
        [target(quantile(0.99, "throng_router_hop_latency_seconds", ["packet_type"], and(inst, `stage="${stage}"`)), "{{packet_type}}")]),
    ]),
    row("High-risk packet types"),
    timeseries("Submit onboarding E2E latency", "Router to router time of onboarding submissions, 99th percentile; may rise at the start of a run when most workers onboard.", "s",
      [target(quantile(0.99, "throng_router_http_request_duration_seconds", [], and(inst, 'endpoint="submit_onboarding"')), "p99")], { w: 8 }),
    timeseries("Live update processing time", "The operator's time to handle a live update in a chat, 99th percentile: the main limit on max_num_concurrent_units for live tasks.", "s",
      [target(quantile(0.99, "throng_operator_packet_processing_seconds", [], 'packet_type="mephisto_bound_live_update"'), "p99")], { w: 8 }),
    timeseries("Register agent processing time", "The operator's time to register an agent, 99th percentile: the second limit on max_num_concurrent_units, worst at the start of a run.", "s",
      [target(quantile(0.99, "throng_operator_packet_processing_seconds", [], 'packet_type="register_agent"'), "p99")], { w: 8 }),
    timeseries("Unit submission processing time", "The operator's time to store a unit's submission, 99th percentile; spikes mean large submissions.", "s",
      [target(quantile(0.99, "throng_operator_packet_processing_seconds", [], 'packet_type="submit_unit"'), "p99")], { w: 12 }),
    timeseries("Agent status ping round trip", "The router-operator status exchange, 99th percentile; spikes mean the operator's view of who is connected is late.", "s",
      [target(quantile(0.99, "throng_router_operator_heartbeat_rtt_seconds", [], inst), "p99")], { w: 12 }),
  ],
});

const aggregator = dashboard({
  uid: "throng-aggregator",
  title: "throng aggregator",
  description: "The metrics pipeline: snapshots in Redis, what each aggregator replica reads and serves, how fresh it is.",
  variables: [instanceVariable("aggregator")],
  panels: [
    row("Pipeline"),
    timeseries("Redis reachable", "1 while the aggregator's last read of Redis succeeded; at 0 it serves its last good data.", "short",
      [target(sumBy("instance_id", gauge("throng_aggregator_redis_up", inst)), "{{instance_id}}")], { w: 8 }),
    timeseries("Snapshot age", "Age of the data each aggregator serves, by service; grows while Redis is unreachable.", "s",
      [target(sumBy("instance_id, service", gauge("throng_aggregator_snapshot_age_seconds", inst)), "{{instance_id}} {{service}}")], { w: 8 }),
    timeseries("Instances served", "Live instances in each aggregator's view, by service, and those held from before Redis lost its data.", "short",
      [target(sumBy("instance_id, service", gauge("throng_aggregator_instances", inst)), "{{instance_id}} {{service}}"),
        target(sumBy("instance_id, service", gauge("throng_aggregator_held_instances", inst)), "{{instance_id}} {{service}} held")], { w: 8 }),
    timeseries("Refreshes and failures", "Reads of Redis per second, and those that failed.", "short",
      [target(sumBy("instance_id", rate("throng_aggregator_refreshes_total", inst)), "{{instance_id}}"),
        target(sumBy("instance_id", rate("throng_aggregator_refresh_errors_total", inst)), "{{instance_id}} failed")], { w: 8 }),
    timeseries("Rejected snapshots by reason", "Snapshots in Redis refused as malformed, oversized or foreign, per second, by reason.", "short",
      [target(sumBy("reason", rate("throng_aggregator_decode_errors_total", inst)), "{{reason}}")], { w: 8 }),
    stat("Redis data lost", "Times each aggregator found Redis restarted empty, in the dashboard's time range.", "short",
      [target(sumBy("instance_id", increase("throng_aggregator_redis_data_lost_total", inst)), "{{instance_id}}", { instant: true })], { w: 8, h: 8 }),
    row("Publishers (every service)"),
    timeseries("Snapshot publish failures", "Snapshots a service instance could not save to Redis, per second.", "short",
      [target(sumBy("job, instance_id", rate("throng_metrics_publish_failures_total")), "{{job}} {{instance_id}}")]),
    timeseries("Time since last snapshot saved", "Seconds since each instance last saved its snapshot; beyond four intervals its data expires from Redis.", "s",
      [target(`time() - ${sumBy("job, instance_id", gauge("throng_metrics_last_publish_success_timestamp_seconds"))}`, "{{job}} {{instance_id}}")]),
    timeseries("Scrape duration", "How long Prometheus took to scrape each aggregator endpoint.", "s",
      [target(sumBy("job, instance", 'scrape_duration_seconds{job=~"throng-.*"}'), "{{job}} {{instance}}")]),
    timeseries("Samples per scrape", "Samples in each aggregator endpoint's answer.", "short",
      [target(sumBy("job, instance", 'scrape_samples_scraped{job=~"throng-.*"}'), "{{job}} {{instance}}")]),
    ...processPanels("aggregator"),
  ],
});

const dashboards = { "throng-overview": overview, "throng-router": router, "throng-operator": operator, "throng-network": network, "throng-aggregator": aggregator };

const dir = path.join(__dirname, "dashboards");
let stale = 0;
for (const [name, board] of Object.entries(dashboards)) {
  const file = path.join(dir, `${name}.json`);
  const text = `${JSON.stringify(board, null, 2)}\n`;
  if (process.argv.includes("--check")) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (committed !== text) {
      console.error(`grafana/dashboards/${name}.json is not what grafana/generate_dashboards.cjs writes; run it and commit the result`);
      stale = 1;
    }
  } else {
    fs.writeFileSync(file, text);
  }
}
for (const file of fs.readdirSync(dir)) {
  if (file.endsWith(".json") && !(file.slice(0, -5) in dashboards)) {
    console.error(`grafana/dashboards/${file} is not made by grafana/generate_dashboards.cjs`);
    stale = 1;
  }
}
process.exit(stale);

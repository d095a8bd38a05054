// A real browser (Debian's Chromium, headless) works through the static React demo
// (examples/static_react_demo, built against the npm package mephisto-task 2.0.4, unchanged):
// a preview, then two workers who each read their text, click "Good" and get thanked, and a
// reload after submitting. The library's own requests are watched on the wire.
// Usage: node complete_react_task.cjs <router base URL> <data.jsonl of the launched task>
const fs = require("fs");
const { launchChromium, expect } = require("./chromium.cjs");

const [base, dataFile] = process.argv.slice(2);
const workers = ["react-1", "react-2"];
// The published mephisto-task 2.0.4 bundle was built while its package.json still said 2.0.3,
// so that is the version it puts on the task_config.json request (the router's expected
// version stays 2.0.4; a mismatch is only a warning to the requester).
const wireVersion = "2.0.3";
const rows = fs.readFileSync(dataFile, "utf8").split("\n").filter((l) => l.trim()).map(JSON.parse);


// Records every request the page makes to the router: path, query, method, status, bodies.
function watch(page, errors) {
  const calls = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfailed", (r) => errors.push(`${r.method()} ${r.url()} failed: ${r.failure()?.errorText}`));
  page.on("response", (response) => {
    const request = response.request();
    const url = new URL(request.url());
    if (!url.href.startsWith(base)) return;
    calls.push({ path: url.pathname, query: url.searchParams, method: request.method(),
                 status: response.status(), sent: request.postData(),
                 body: response.text().catch(() => null) });
  });
  return calls;
}

// The one request to `path`, answered 200; adds `received`, the answer's text.
async function only(calls, path) {
  const found = calls.filter((c) => c.path === path);
  expect(found.length === 1, `expected one request to ${path}, saw ${found.length}`);
  const call = found[0];
  call.received = await call.body;
  expect(call.status === 200, `${path} answered ${call.status}: ${call.received}`);
  return call;
}

async function checkTaskConfig(calls) {
  const call = await only(calls, "/task_config.json");
  const version = call.query.get("mephisto_task_version");
  expect(version === wireVersion, `task_config.json asked with mephisto_task_version=${version}`);
  const config = JSON.parse(call.received);
  expect(config.mephisto_task_version === "2.0.4", "task_config.json carries version 2.0.4");
  return config;
}

(async () => {
  const browser = await launchChromium();
  try {
    const errors = [];
    const preview = await browser.newPage();
    const previewCalls = watch(preview, errors);
    await preview.goto(`${base}/`, { waitUntil: "networkidle" });
    await preview.waitForSelector("#preview", { timeout: 15000 });
    const config = await checkTaskConfig(previewCalls);
    expect((await preview.textContent("h1")) === config.task_title, "title from task_config.json");
    expect(previewCalls.every((c) => c.method === "GET"), "the preview must not POST anything");
    expect(!(await preview.isVisible("button")), "the preview must not show the task");
    console.log("ok - preview without a worker renders from task_config.json, no request_agent");
    await preview.close();

    for (const worker of workers) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const calls = watch(page, errors);
      await page.goto(`${base}/?worker_id=${worker}&assignment_id=r-${worker.split("-")[1]}`);
      await page.waitForSelector("#text", { timeout: 15000 });
      const text = (await page.textContent("#text")).trim();
      const row = rows.find((r) => r.text === text);
      expect(row, `the page shows '${text}', which is no row of ${dataFile}`);

      const submitted = page.waitForResponse((r) => r.url().endsWith("/submit_task"));
      await page.click("button:text-is('Good')");
      await (await submitted).finished();
      await page.waitForSelector("text=Thank you", { timeout: 15000 });

      await checkTaskConfig(calls);
      const agent = await only(calls, "/request_agent");
      const registration = JSON.parse(agent.sent).provider_data;
      expect(registration.worker_name === worker && registration.provider_type === "mock",
             `request_agent sent ${agent.sent}`);
      const details = JSON.parse(agent.received);
      expect(details.packet_type === "agent_details" && details.data.agent_id,
             `request_agent answered ${agent.received}`);
      expect(details.data.init_task_data.id === row.id, "init_task_data is the row shown");
      const submit = await only(calls, "/submit_task");
      const sent = JSON.parse(submit.sent);
      expect(sent.USED_AGENT_ID === details.data.agent_id, "submit_task names the agent");
      expect(sent.final_data.rating === "good" && sent.final_data.text_id === row.id,
             `submit_task sent ${submit.sent}`);
      expect(JSON.parse(submit.received).status === "Submitted!", `submit_task answered ${submit.received}`);
      console.log(`ok - ${worker} rated ${row.id} "${text}" good and was thanked`);

      await page.reload();
      await page.waitForSelector("#blocked", { timeout: 15000 });
      const blocked = await page.textContent("#blocked");
      expect(blocked.includes("already completed this task"), `after reload: '${blocked}'`);
      console.log(`ok - ${worker} reloading after submitting sees the blocked reason`);
      await context.close();
    }
    expect(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok - no page errors or failed requests");
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(`FAIL: ${error.message}`);
  process.exit(1);
});

// Real browsers (Debian's Chromium, headless) in the paired chat demo (examples/paired_chat_demo,
// an unchanged mephisto-task 2.0.4 app using useMephistoLiveTask) over the router's websocket.
//
//   node paired_chat.cjs chat <base>
//     Two workers: the first waits alone, both start when the second arrives, messages go both
//     ways, a reload brings the history back once, both submit. Then a second pair where one
//     closes its page: the other sees "partner disconnect" and still submits.
//     With TASK_RUN_ID set, pages open that run (not the router's newest).
//   node paired_chat.cjs failover <balancer base> <second router base> <pid of first router>
//     Worker A comes through the balancer (to the first router), worker B straight to the second
//     router. The first router is killed with SIGKILL; B writes while A is away; A's page
//     reconnects through the balancer to the second router, keeps its agent, receives B's
//     message and submits.
const { execFileSync } = require("child_process");
const { launchChromium, expect } = require("./chromium.cjs");

const [mode, base, otherBase, routerPid] = process.argv.slice(2);
const errors = [];

async function open(browser, url, worker, assignment) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${worker}: ${e.message}`));
  const agent = page.waitForResponse((r) => r.url().endsWith("/request_agent"));
  const run = process.env.TASK_RUN_ID ? `&task_run_id=${process.env.TASK_RUN_ID}` : "";
  await page.goto(`${url}/?worker_id=${worker}&assignment_id=${assignment}${run}`);
  const details = JSON.parse(await (await agent).text());
  expect(details.data.agent_id, `${worker} got no agent: ${JSON.stringify(details.data)}`);
  return { page, context, worker, agentId: details.data.agent_id };
}

async function status(side, expected, timeout = 20000) {
  await side.page.waitForSelector(`#status:text-is("Status: ${expected}")`, { timeout });
}

async function say(side, text) {
  await side.page.fill("#draft", text);
  await side.page.click("#send");
  await side.page.waitForSelector(`#messages li.mine:text-is("You: ${text}")`, { timeout: 10000 });
}

async function hears(side, text, timeout = 15000) {
  await side.page.waitForSelector(`#messages li.theirs:text-is("Partner: ${text}")`, { timeout });
}

async function submit(side, summary) {
  const submitted = side.page.waitForResponse((r) => r.url().endsWith("/submit_task"));
  await side.page.fill("#summary", summary);
  await side.page.click("#finish");
  const response = await submitted;
  expect(response.status() === 200, `${side.worker} submit_task answered ${response.status()}`);
  await side.page.waitForSelector("#done", { timeout: 10000 });
}

async function chat(browser) {
  const a = await open(browser, base, "chat-a", "c1");
  await status(a, "waiting");
  expect(await a.page.isVisible("#waiting"), "the waiting room is shown");
  expect(await a.page.isDisabled("#draft"), "nobody can chat alone");
  console.log("ok - the first worker waits for a partner");

  const b = await open(browser, base, "chat-b", "c2");
  await status(a, "in task");
  await status(b, "in task");
  const topic = await a.page.textContent("#topic");
  expect(topic === (await b.page.textContent("#topic")) && topic.length > 7, "one topic for both");
  console.log(`ok - both are 'in task' on the same ${topic}`);

  await say(a, "hello from A");
  await hears(b, "hello from A");
  await say(b, "hi from B");
  await hears(a, "hi from B");
  console.log("ok - live updates are relayed both ways");

  await a.page.reload();
  await status(a, "in task");
  await hears(a, "hi from B");
  await a.page.waitForSelector('#messages li.mine:text-is("You: hello from A")');
  expect((await a.page.$$("#messages li")).length === 2, "the history is shown once after a reload");
  console.log("ok - a reload keeps the agent and replays the chat history once");

  await submit(a, "A's summary");
  await submit(b, "B's summary");
  console.log("ok - both submitted");

  const c = await open(browser, base, "chat-c", "c3");
  const d = await open(browser, base, "chat-d", "c4");
  await status(c, "in task");
  await status(d, "in task");
  await d.context.close();
  await status(c, "partner disconnect", 40000);
  expect(await c.page.isVisible("#status-text"), "the partner-disconnect explanation is shown");
  await submit(c, "partner left");
  console.log("ok - a partner who leaves is reported as 'partner disconnect'; the other submits");
}

async function failover(browser) {
  const a = await open(browser, base, "failover-a", "f1");
  const b = await open(browser, otherBase, "failover-b", "f2");
  await status(a, "in task");
  await status(b, "in task");
  await say(a, "before the crash");
  await hears(b, "before the crash");
  console.log("ok - A (through the balancer) and B (second router) chat");

  execFileSync("kill", ["-9", routerPid]);
  await a.page.waitForSelector('#connection:not(:text-is("Connection: connected"))', { timeout: 10000 });
  console.log("ok - the first router is killed; A's page sees its socket go");
  await say(b, "sent while you were away");
  await hears(a, "sent while you were away", 45000);
  await a.page.waitForSelector('#connection:text-is("Connection: connected")', { timeout: 10000 });
  console.log("ok - A reconnected through the balancer and received what was sent meanwhile");

  await say(a, "back again");
  await hears(b, "back again");
  await submit(a, "survived a router crash");
  await submit(b, "partner survived");
  console.log("ok - A keeps chatting and submits after the failover");
}

(async () => {
  const browser = await launchChromium();
  try {
    if (mode === "chat") await chat(browser);
    else if (mode === "failover") await failover(browser);
    else throw new Error(`unknown mode '${mode}'`);
    expect(errors.length === 0, `page errors: ${errors.join("; ")}`);
    console.log("ok - no page errors");
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(`FAIL: ${error.message}`);
  process.exit(1);
});
